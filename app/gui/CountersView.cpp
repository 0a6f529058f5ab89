#include "CountersView.h"

#include "Format.h"
#include "TunnelText.h"

#include <QDateTime>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace peertun {

CountersView::CountersView(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_rates = new QLabel(this);
    QFont big = m_rates->font();
    big.setPointSizeF(big.pointSizeF() * 1.25);
    big.setBold(true);
    m_rates->setFont(big);
    m_rates->setAccessibleName(tr("Current rates"));
    m_totals = new QLabel(this);
    m_totals->setAccessibleName(tr("Totals"));
    m_totals->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_drops = new QLabel(this);
    m_drops->setAccessibleName(tr("Dropped packets"));
    m_drops->setWordWrap(true);
    m_drops->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_security = new QLabel(this);
    m_security->setAccessibleName(tr("Encryption"));
    m_security->setWordWrap(true);
    m_security->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_protection = new QLabel(this);
    m_protection->setAccessibleName(tr("DNS and kill switch"));
    m_protection->setWordWrap(true);
    m_protection->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_peers = new QTreeWidget(this);
    m_peers->setRootIsDecorated(false);
    m_peers->setColumnCount(ColumnCount);
    m_peers->setHeaderLabels({tr("Peer"), tr("Endpoint"), tr("Sent packets"), tr("Sent"),
                              tr("Received packets"), tr("Received"), tr("Last packet"),
                              tr("Handshakes"), tr("Initiations sent"), tr("Last handshake")});
    m_peers->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_peers->setAccessibleName(tr("Peer counters"));
    m_peers->setMinimumHeight(70);
    layout->addWidget(m_rates);
    layout->addWidget(m_totals);
    layout->addWidget(m_drops);
    layout->addWidget(m_security);
    layout->addWidget(m_protection);
    layout->addWidget(m_peers, 1);
    showStatus(TunnelStatus());
}

QString CountersView::securityText() const
{
    return m_security->isVisibleTo(this) ? m_security->text() : QString();
}

QString CountersView::protectionText() const
{
    return m_protection->isVisibleTo(this) ? m_protection->text() : QString();
}

QString CountersView::dropReasonText(const QString& reason)
{
    if (reason == QLatin1String("no-peer-for-destination")) {
        return tr("no peer for the destination");
    }
    if (reason == QLatin1String("unknown-source-endpoint")) {
        return tr("from an unknown endpoint");
    }
    if (reason == QLatin1String("malformed")) {
        return tr("malformed");
    }
    if (reason == QLatin1String("source-outside-peer-subnets")) {
        return tr("source outside the peer's subnets");
    }
    if (reason == QLatin1String("too-big")) {
        return tr("too big");
    }
    if (reason == QLatin1String("send-error")) {
        return tr("send errors");
    }
    return reason;
}

QString CountersView::ratesText() const
{
    return m_rates->text();
}

void CountersView::showStatus(const TunnelStatus& status, bool wireGuard)
{
    const dbus::TunnelCounters s = dbus::TunnelCounters::fromVariant(status.stats);
    const QLocale locale;
    m_rxPackets = s.rxPackets;
    m_txPackets = s.txPackets;
    m_rates->setText(
        tr("↓ %1   ↑ %2")
            .arg(formatRate(status.rxBytesPerSecond), formatRate(status.txBytesPerSecond)));
    m_totals->setText(tr("Received %1 packets (%2), sent %3 packets (%4)")
                          .arg(locale.toString(m_rxPackets), formatBytes(qint64(s.rxBytes)),
                               locale.toString(m_txPackets), formatBytes(qint64(s.txBytes))));

    QStringList reasons;
    for (const auto& [reason, count] : s.drops) {
        if (count > 0) {
            reasons << tr("%1: %2").arg(dropReasonText(reason), locale.toString(count));
        }
    }
    m_drops->setText(s.totalDrops == 0 ? tr("No packets dropped")
                                       : tr("Dropped %1 packets (%2)")
                                             .arg(locale.toString(s.totalDrops),
                                                  reasons.join(QStringLiteral(", "))));

    const bool known = !status.stats.isEmpty();
    if (known && wireGuard) {
        m_security->setText(
            tr("WireGuard (encrypted). Handshakes: %1 done, %2 failed. Decryption failures: %3. "
               "Replays rejected: %4.")
                .arg(locale.toString(s.handshakesDone), locale.toString(s.handshakesFailed),
                     locale.toString(s.decryptionFailures), locale.toString(s.replaysRejected)));
        m_security->setStyleSheet(QString());
    } else if (known) {
        m_security->setText(tr("Plain mode: this tunnel is unencrypted; anyone on the path can "
                               "read and forge its packets."));
        m_security->setStyleSheet(QStringLiteral("color: #8a5a00;"));
    }
    m_security->setVisible(known);
    for (int column : {Handshakes, Initiations, LastHandshake}) {
        m_peers->setColumnHidden(column, !wireGuard);
    }

    const QStringList protection = status.info ? protectionLines(*status.info) : QStringList();
    m_protection->setText(protection.join(QLatin1Char('\n')));
    m_protection->setVisible(!protection.isEmpty());

    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    while (m_peers->topLevelItemCount() > s.peers.size()) {
        delete m_peers->takeTopLevelItem(m_peers->topLevelItemCount() - 1);
    }
    for (qsizetype i = 0; i < s.peers.size(); ++i) {
        const dbus::PeerCounters& peer = s.peers.at(i);
        QTreeWidgetItem* item = m_peers->topLevelItem(int(i));
        if (item == nullptr) {
            item = new QTreeWidgetItem(m_peers);
            for (int c : {SentPackets, SentBytes, ReceivedPackets, ReceivedBytes, Handshakes,
                          Initiations}) {
                item->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
            }
        }
        item->setText(Peer, peer.name);
        // As configured (ListTunnels), with the address in use as the latest counters say.
        QString endpoint = peer.endpointStatus.address; // until the tunnel list came
        if (status.info) {
            QString configured;
            for (const dbus::PeerInfo& p : status.info->peers) {
                if (p.name == peer.name) {
                    configured = p.endpoint;
                }
            }
            endpoint = endpointText(configured, peer.endpointStatus);
        }
        item->setText(Endpoint, endpoint);
        item->setText(SentPackets, locale.toString(peer.txPackets));
        item->setText(SentBytes, formatBytes(qint64(peer.txBytes)));
        item->setText(ReceivedPackets, locale.toString(peer.rxPackets));
        item->setText(ReceivedBytes, formatBytes(qint64(peer.rxBytes)));
        item->setText(LastPacket, formatAge(peer.lastRxUnixMs, now));
        item->setText(Handshakes, locale.toString(peer.handshakesDone));
        item->setText(Initiations, locale.toString(peer.initiationsSent));
        item->setText(LastHandshake, formatAge(peer.lastHandshakeUnixMs, now));
    }
}

} // namespace peertun
