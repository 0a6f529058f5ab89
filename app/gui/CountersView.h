// The selected tunnel's counters: current rates, totals each way, drops by reason, and per
// peer packets/bytes each way and the time since its last packet. In WireGuard mode also the
// handshakes (per peer: done, initiations sent, last one; tunnel-wide: failed, decryption
// failures, replays rejected); in plain mode a line that says the tunnel is unencrypted. From
// the tunnel's ListTunnels entry: what DNS and the kill switch do, and each peer's endpoint as
// configured with the address in use.
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
        Endpoint,
        SentPackets,
        SentBytes,
        ReceivedPackets,
        ReceivedBytes,
        LastPacket,
        Handshakes,    // WireGuard mode only
        Initiations,   // WireGuard mode only
        LastHandshake, // WireGuard mode only
        ColumnCount
    };

    explicit CountersView(QWidget* parent = nullptr);

    // wireGuard: the tunnel's mode (from the profile, or the helper's tunnel list).
    void showStatus(const TunnelStatus& status, bool wireGuard = false);

    // What the view shows, for tests and the tray tooltip.
    qulonglong shownRxPackets() const { return m_rxPackets; }
    qulonglong shownTxPackets() const { return m_txPackets; }
    QString ratesText() const;
    // The tunnel-wide line under the totals: WireGuard counters, or "unencrypted".
    QString securityText() const;
    // The DNS and kill-switch lines (empty while none applies).
    QString protectionText() const;
    QTreeWidget* peerTable() const { return m_peers; }

    static QString dropReasonText(const QString& reason);

private:
    QLabel* m_rates;
    QLabel* m_totals;
    QLabel* m_drops;
    QLabel* m_security;
    QLabel* m_protection;
    QTreeWidget* m_peers;
    qulonglong m_rxPackets = 0;
    qulonglong m_txPackets = 0;
};

} // namespace peertun
