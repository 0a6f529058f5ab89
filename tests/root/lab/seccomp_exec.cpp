// seccomp_exec LIST PROGRAM [ARGS...]: runs PROGRAM under the system call filter a systemd unit
// with `SystemCallFilter=` (the names in LIST, one per line), `SystemCallErrorNumber=EPERM`,
// `SystemCallArchitectures=native` and `NoNewPrivileges=yes` gives it: every call not listed
// fails with EPERM, another architecture's calls kill the process. Names this architecture
// does not have are skipped, as systemd skips them.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <seccomp.h>
#include <string>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char** argv)
{
    if (argc < 3) {
        std::fprintf(stderr, "usage: seccomp_exec LIST PROGRAM [ARGS...]\n");
        return 2;
    }
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
    if (ctx == nullptr) {
        std::fprintf(stderr, "seccomp_exec: seccomp_init failed\n");
        return 1;
    }
    std::ifstream list(argv[1]);
    std::string name;
    int allowed = 0;
    while (std::getline(list, name)) {
        if (name.empty()) {
            continue;
        }
        const int nr = seccomp_syscall_resolve_name(name.c_str());
        if (nr == __NR_SCMP_ERROR) {
            continue;
        }
        if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0) == 0) {
            ++allowed;
        }
    }
    if (allowed == 0) {
        std::fprintf(stderr, "seccomp_exec: no system call in %s\n", argv[1]);
        return 1;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || seccomp_load(ctx) != 0) {
        std::fprintf(stderr, "seccomp_exec: cannot load the filter: %s\n", std::strerror(errno));
        return 1;
    }
    seccomp_release(ctx);
    execv(argv[2], argv + 2);
    std::fprintf(stderr, "seccomp_exec: cannot run %s: %s\n", argv[2], std::strerror(errno));
    return 127;
}
