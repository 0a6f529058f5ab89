#include "CountersView.h"

#include "Format.h"

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
    m_peers = new QTreeWidget(this);
    m_peers->setRootIsDecorated(false);
    m_peers->setColumnCount(ColumnCount);
    m_peers->setHeaderLabels({tr("Peer"), tr("Sent packets"), tr("Sent"), tr("Received packets"),
                              tr("Received"), tr("Last packet"), tr("Handshakes"),
                              tr("Initiations sent"), tr("Last handshake")});
    m_peers->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_peers->setAccessibleName(tr("Peer counters"));
    m_peers->setMinimumHeight(70);
    layout->addWidget(m_rates);
    layout->addWidget(m_totals);
    layout->addWidget(m_drops);
    layout->addWidget(m_security);
    layout->addWidget(m_peers, 1);
    showStatus(TunnelStatus());
}

QString CountersView::securityText() const
{
    return m_security->isVisibleTo(this) ? m_security->text() : QString();
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
    const QVariantMap& s = status.stats;
    const QLocale locale;
    m_rxPackets = s.value(QStringLiteral("rxPackets")).toULongLong();
    m_txPackets = s.value(QStringLiteral("txPackets")).toULongLong();
    m_rates->setText(
        tr("↓ %1   ↑ %2")
            .arg(formatRate(status.rxBytesPerSecond), formatRate(status.txBytesPerSecond)));
    m_totals->setText(
        tr("Received %1 packets (%2), sent %3 packets (%4)")
            .arg(locale.toString(m_rxPackets),
                 formatBytes(qint64(s.value(QStringLiteral("rxBytes")).toULongLong())),
                 locale.toString(m_txPackets),
                 formatBytes(qint64(s.value(QStringLiteral("txBytes")).toULongLong()))));

    QStringList reasons;
    const QVariantMap drops = s.value(QStringLiteral("drops")).toMap();
    for (auto it = drops.cbegin(); it != drops.cend(); ++it) {
        if (it.value().toULongLong() > 0) {
            reasons << tr("%1: %2").arg(dropReasonText(it.key()),
                                        locale.toString(it.value().toULongLong()));
        }
    }
    const qulonglong totalDrops = s.value(QStringLiteral("totalDrops")).toULongLong();
    m_drops->setText(totalDrops == 0 ? tr("No packets dropped")
                                     : tr("Dropped %1 packets (%2)")
                                           .arg(locale.toString(totalDrops),
                                                reasons.join(QStringLiteral(", "))));

    const bool known = !s.isEmpty();
    if (known && wireGuard) {
        m_security->setText(
            tr("WireGuard (encrypted). Handshakes: %1 done, %2 failed. Decryption failures: %3. "
               "Replays rejected: %4.")
                .arg(locale.toString(s.value(QStringLiteral("handshakesDone")).toULongLong()),
                     locale.toString(s.value(QStringLiteral("handshakesFailed")).toULongLong()),
                     locale.toString(s.value(QStringLiteral("decryptionFailures")).toULongLong()),
                     locale.toString(s.value(QStringLiteral("replaysRejected")).toULongLong())));
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

    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QVariantList peers = s.value(QStringLiteral("peers")).toList();
    while (m_peers->topLevelItemCount() > peers.size()) {
        delete m_peers->takeTopLevelItem(m_peers->topLevelItemCount() - 1);
    }
    for (qsizetype i = 0; i < peers.size(); ++i) {
        const QVariantMap peer = peers.at(i).toMap();
        QTreeWidgetItem* item = m_peers->topLevelItem(int(i));
        if (item == nullptr) {
            item = new QTreeWidgetItem(m_peers);
            for (int c : {SentPackets, SentBytes, ReceivedPackets, ReceivedBytes, Handshakes,
                          Initiations}) {
                item->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
            }
        }
        item->setText(Peer, peer.value(QStringLiteral("name")).toString());
        item->setText(SentPackets,
                      locale.toString(peer.value(QStringLiteral("txPackets")).toULongLong()));
        item->setText(SentBytes,
                      formatBytes(qint64(peer.value(QStringLiteral("txBytes")).toULongLong())));
        item->setText(ReceivedPackets,
                      locale.toString(peer.value(QStringLiteral("rxPackets")).toULongLong()));
        item->setText(ReceivedBytes,
                      formatBytes(qint64(peer.value(QStringLiteral("rxBytes")).toULongLong())));
        item->setText(LastPacket,
                      formatAge(peer.value(QStringLiteral("lastRxUnixMs")).toLongLong(), now));
        item->setText(Handshakes,
                      locale.toString(peer.value(QStringLiteral("handshakesDone")).toULongLong()));
        item->setText(Initiations,
                      locale.toString(peer.value(QStringLiteral("initiationsSent")).toULongLong()));
        item->setText(
            LastHandshake,
            formatAge(peer.value(QStringLiteral("lastHandshakeUnixMs")).toLongLong(), now));
    }
}

} // namespace peertun
