// A mesh agent in a process of its own, for the tests that kill it or cut its network:
//   mesh_agent_probe ETCD_URL PREFIX PUBLIC_IP PORT TTL_SECONDS
// Prints one line per event: "joined SUBNET", "members N", "reachable 0|1", "stopped: WHY",
// "left". SIGTERM leaves (revokes the lease) and exits 0.
#include "MeshAgent.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <csignal>
#include <cstdio>
#include <sys/signalfd.h>
#include <unistd.h>

using namespace peertun;

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 6) {
        std::fprintf(stderr, "usage: mesh_agent_probe ETCD_URL PREFIX PUBLIC_IP PORT TTL\n");
        return 2;
    }
    mesh::MeshAgentSettings s;
    s.etcd.endpoints = {QUrl(args[1])};
    s.etcd.timeoutMs = 1000;
    s.prefix = args[2];
    s.self = Endpoint{QHostAddress(args[3]), quint16(args[4].toUInt()), {}};
    s.leaseTtlSeconds = args[5].toInt();
    s.retryMaxMs = 1000;
    mesh::MeshAgent agent(s);
    auto say = [](const QString& line) {
        std::printf("%s\n", qPrintable(line));
        std::fflush(stdout);
    };
    QObject::connect(&agent, &mesh::MeshAgent::joined, [&](const Cidr& subnet) {
        say(QStringLiteral("joined ") + subnet.toString());
    });
    QObject::connect(&agent, &mesh::MeshAgent::membersChanged, [&](const QList<mesh::Member>& m) {
        say(QStringLiteral("members %1").arg(m.size()));
    });
    QObject::connect(&agent, &mesh::MeshAgent::reachabilityChanged,
                     [&](bool up) { say(QStringLiteral("reachable %1").arg(int(up))); });
    QObject::connect(&agent, &mesh::MeshAgent::stopped, [&](const QString& why) {
        say(QStringLiteral("stopped: ") + why);
        app.exit(3);
    });
    QObject::connect(&agent, &mesh::MeshAgent::left, [&] {
        say(QStringLiteral("left"));
        app.quit();
    });

    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigprocmask(SIG_BLOCK, &mask, nullptr);
    const int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    QSocketNotifier term(sfd, QSocketNotifier::Read);
    QObject::connect(&term, &QSocketNotifier::activated, [&] {
        signalfd_siginfo info;
        [[maybe_unused]] const auto n = ::read(sfd, &info, sizeof(info));
        agent.leave();
    });
    agent.start();
    const int rc = app.exec();
    ::close(sfd);
    return rc;
}
