// SleepWatcher on a private bus (dbus-daemon --session, no root): PrepareForSleep(false) from
// the owner of org.freedesktop.login1 is a resume, (true) is not, the same signal from anyone
// else is ignored, and without a bus nothing is watched.
#include "SleepWatcher.h"

#include <QDBusMessage>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

using peertun::SleepWatcher;

class TestSleepWatcher : public QObject
{
    Q_OBJECT

    QProcess m_busDaemon;
    QString m_address;

    static bool emitPrepareForSleep(const QDBusConnection& from, bool start)
    {
        QDBusMessage signal = QDBusMessage::createSignal(
            peertun::kLogindPath, peertun::kLogindManager, QStringLiteral("PrepareForSleep"));
        signal << start;
        return from.send(signal);
    }

private slots:
    void initTestCase()
    {
        m_busDaemon.start(QStringLiteral("dbus-daemon"),
                          {"--session", "--nofork", "--nosyslog", "--print-address=1"});
        QVERIFY2(m_busDaemon.waitForStarted(5000), "dbus-daemon (package dbus) is needed");
        QVERIFY(m_busDaemon.waitForReadyRead(5000));
        m_address = QString::fromUtf8(m_busDaemon.readLine()).trimmed();
    }

    void cleanupTestCase()
    {
        m_busDaemon.terminate();
        m_busDaemon.waitForFinished(3000);
    }

    void resumeFromLogindOnly()
    {
        QDBusConnection watcherBus = QDBusConnection::connectToBus(m_address, "watcher");
        QDBusConnection logind = QDBusConnection::connectToBus(m_address, "logind");
        QDBusConnection impostor = QDBusConnection::connectToBus(m_address, "impostor");
        QVERIFY(watcherBus.isConnected() && logind.isConnected() && impostor.isConnected());
        {
            // Subscribed before logind owns its name: the match follows the name's owner.
            SleepWatcher watcher(watcherBus);
            QVERIFY(watcher.watching());
            QVERIFY2(watcher.describe().contains(QLatin1String("not on the system bus")),
                     qPrintable(watcher.describe()));
            QSignalSpy resumed(&watcher, &SleepWatcher::resumed);
            QVERIFY(logind.registerService(peertun::kLogindService));
            QTRY_VERIFY(watcher.describe().contains(QLatin1String("watching logind")));

            QVERIFY(emitPrepareForSleep(logind, true));
            QVERIFY(emitPrepareForSleep(impostor, false)); // not logind: no resume
            QVERIFY(emitPrepareForSleep(logind, false));
            QTRY_COMPARE(resumed.count(), 1);
            QTest::qWait(200); // and nothing more arrives
            QCOMPARE(resumed.count(), 1);
        }
        QDBusConnection::disconnectFromBus("watcher");
        QDBusConnection::disconnectFromBus("logind");
        QDBusConnection::disconnectFromBus("impostor");
    }

    void noBusNoWatch()
    {
        SleepWatcher watcher(QDBusConnection(QStringLiteral("never-connected")));
        QVERIFY(!watcher.watching());
        QCOMPARE(watcher.describe(),
                 QStringLiteral("no system bus: resume from suspend is not watched"));
    }
};

QTEST_GUILESS_MAIN(TestSleepWatcher)
#include "tst_sleepwatcher.moc"
