// Answering modal dialogs in GUI tests: exec() blocks the test, so the answer comes from the
// event loop, as a user's key presses would.
#pragma once

#include <QApplication>
#include <QObject>
#include <QTimer>
#include <QWidget>

namespace peertun::test {

// Calls `act` with the next modal dialog of type T once it is open. The watcher lives as long
// as `context`: give it a short-lived object so an unanswered watcher cannot outlive the test.
template <class T, class F> void onNextModal(QObject* context, F act)
{
    auto* timer = new QTimer(context);
    timer->setInterval(50);
    QObject::connect(timer, &QTimer::timeout, context, [timer, act] {
        if (auto* dialog = qobject_cast<T*>(QApplication::activeModalWidget());
            dialog != nullptr && dialog->isVisible()) {
            timer->stop();
            timer->deleteLater();
            act(dialog);
        }
    });
    timer->start();
}

} // namespace peertun::test
