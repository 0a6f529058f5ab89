// The tray icon: one of four icons for the overall state, a tooltip with the tunnels and
// their rates, a menu with each profile's connect/disconnect, show/hide and quit, and
// notifications when a tunnel connects, drops or fails.
#pragma once

#include <QIcon>
#include <QObject>
#include <QSystemTrayIcon>

class QMenu;

namespace peertun {

enum class TrayState { Disconnected, Connecting, Connected, Failed };

class TrayIcon : public QObject
{
    Q_OBJECT
public:
    explicit TrayIcon(QObject* parent = nullptr);
    ~TrayIcon() override;

    static QIcon iconFor(TrayState state);
    static QString stateName(TrayState state); // "connected", ... (icon file names, tests)

    void setState(TrayState state);
    TrayState state() const { return m_state; }
    void setToolTip(const QString& text);
    QString toolTip() const;
    QMenu* menu() const { return m_menu; }
    // Shown in a system tray right now (false without a tray host, e.g. offscreen).
    bool isShown() const;
    void notify(const QString& title, const QString& text, QSystemTrayIcon::MessageIcon icon);
    QSystemTrayIcon* systemTrayIcon() const { return m_tray; }

signals:
    void activated(); // clicked: show or hide the window

private:
    QSystemTrayIcon* m_tray;
    QMenu* m_menu;
    TrayState m_state = TrayState::Disconnected;
};

} // namespace peertun
