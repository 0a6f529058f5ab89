// Signals through a signalfd on the Qt event loop, for the D-Bus service and --standalone:
// made before any thread starts, so the signals are blocked in every thread and only the
// event loop sees them (never a forwarding thread in the middle of a batch).
#pragma once

#include <QSocketNotifier>
#include <functional>
#include <initializer_list>
#include <memory>

namespace peertun {

class SignalNotifier
{
public:
    // Blocks `handled` in the calling thread (threads started later inherit the mask) and
    // opens a signalfd for them; valid() is false if that failed.
    explicit SignalNotifier(std::initializer_list<int> handled);
    ~SignalNotifier();
    SignalNotifier(const SignalNotifier&) = delete;
    SignalNotifier& operator=(const SignalNotifier&) = delete;

    bool valid() const { return m_fd >= 0; }
    // From now on, `handler(signal number)` runs on the event loop for each signal.
    void onSignal(std::function<void(int)> handler);

private:
    int m_fd = -1;
    std::unique_ptr<QSocketNotifier> m_notifier;
    std::function<void(int)> m_handler;
};

} // namespace peertun
