// The selected tunnel's counters: current rates, totals each way, drops by reason, and per
// peer packets/bytes each way and the time since its last packet.
#pragma once

#include "HelperSession.h"

#include <QWidget>

class QLabel;
class QTreeWidget;

namespace peertun {

class CountersView : public QWidget
{
    Q_OBJECT
public:
    enum PeerColumn {
        Peer,
        SentPackets,
        SentBytes,
        ReceivedPackets,
        ReceivedBytes,
        LastPacket,
        ColumnCount
    };

    explicit CountersView(QWidget* parent = nullptr);

    void showStatus(const TunnelStatus& status);

    // What the view shows, for tests and the tray tooltip.
    qulonglong shownRxPackets() const { return m_rxPackets; }
    qulonglong shownTxPackets() const { return m_txPackets; }
    QString ratesText() const;
    QTreeWidget* peerTable() const { return m_peers; }

    static QString dropReasonText(const QString& reason);

private:
    QLabel* m_rates;
    QLabel* m_totals;
    QLabel* m_drops;
    QTreeWidget* m_peers;
    qulonglong m_rxPackets = 0;
    qulonglong m_txPackets = 0;
};

} // namespace peertun
