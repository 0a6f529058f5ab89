#include "TrayIcon.h"

#include <QMenu>

namespace peertun {

TrayIcon::TrayIcon(QObject* parent)
    : QObject(parent), m_tray(new QSystemTrayIcon(this)), m_menu(new QMenu)
{
    m_tray->setIcon(iconFor(m_state));
    m_tray->setContextMenu(m_menu);
    m_tray->setToolTip(tr("peertun"));
    connect(m_tray, &QSystemTrayIcon::activated, this,
            [this](QSystemTrayIcon::ActivationReason reason) {
                if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick) {
                    emit activated();
                }
            });
    // Also when no tray exists yet: Qt embeds the icon once a tray host appears.
    m_tray->show();
}

TrayIcon::~TrayIcon()
{
    delete m_menu; // a QMenu has no QObject parent here (it is a top-level popup)
}

QString TrayIcon::stateName(TrayState state)
{
    switch (state) {
    case TrayState::Connecting:
        return QStringLiteral("connecting");
    case TrayState::Connected:
        return QStringLiteral("connected");
    case TrayState::Failed:
        return QStringLiteral("failed");
    case TrayState::Disconnected:
        break;
    }
    return QStringLiteral("disconnected");
}

QIcon TrayIcon::iconFor(TrayState state)
{
    return QIcon(QStringLiteral(":/icons/tray-%1.svg").arg(stateName(state)));
}

void TrayIcon::setState(TrayState state)
{
    if (state == m_state) {
        return;
    }
    m_state = state;
    m_tray->setIcon(iconFor(state));
}

void TrayIcon::setToolTip(const QString& text)
{
    m_tray->setToolTip(text);
}

QString TrayIcon::toolTip() const
{
    return m_tray->toolTip();
}

bool TrayIcon::isShown() const
{
    return QSystemTrayIcon::isSystemTrayAvailable() && m_tray->isVisible();
}

void TrayIcon::notify(const QString& title, const QString& text, QSystemTrayIcon::MessageIcon icon)
{
    if (isShown() && QSystemTrayIcon::supportsMessages()) {
        m_tray->showMessage(title, text, icon, 5000);
    }
}

} // namespace peertun
