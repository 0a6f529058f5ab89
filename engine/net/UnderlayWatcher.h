// Watches the underlay -- links, addresses and routes other than the tunnel's own -- on its own
// netlink socket and thread, and calls back once per burst of changes (UnderlayChange.h
// decides what counts and debounces). The callback runs on the watcher's thread.
#pragma once

#include "NetlinkSocket.h"
#include "UnderlayChange.h"
#include "Worker.h"

#include <functional>
#include <string>
#include <vector>

struct nl_msg;

namespace peertun::engine {

class UnderlayWatcher
{
public:
    using OnChange = std::function<void(const std::string& what)>;

    // Subscribes at once (changes from here on are seen); throws TunnelError.
    UnderlayWatcher(UnderlayFilter filter, OnChange onChange);
    ~UnderlayWatcher();
    UnderlayWatcher(const UnderlayWatcher&) = delete;
    UnderlayWatcher& operator=(const UnderlayWatcher&) = delete;

    void start();
    void stop(); // idempotent; no callback runs after it returns

private:
    void run();
    void drain();
    static int onMessage(struct nl_msg* msg, void* self);

    NlSocket m_sock;
    UnderlayParser m_parser;
    Debouncer m_debouncer;
    OnChange m_onChange;
    std::vector<std::string> m_batch; // what the last drain() found
    WorkerThread m_thread;
};

} // namespace peertun::engine
