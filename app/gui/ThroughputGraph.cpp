#include "ThroughputGraph.h"

#include "Format.h"

#include <QPainter>
#include <QPainterPath>
#include <algorithm>

namespace peertun {

namespace {
const QColor kRxColor(0x1e, 0x88, 0xe5);
const QColor kTxColor(0x43, 0xa0, 0x47);
} // namespace

ThroughputGraph::ThroughputGraph(QWidget* parent) : QWidget(parent)
{
    setAccessibleName(tr("Throughput graph"));
    setAccessibleDescription(tr("Bytes per second received and sent over the last five minutes"));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
}

void ThroughputGraph::setSamples(const QList<RateSample>& samples)
{
    m_samples = samples;
    if (!samples.isEmpty()) {
        setToolTip(tr("Now: received %1, sent %2")
                       .arg(formatRate(samples.last().rxBytesPerSecond),
                            formatRate(samples.last().txBytesPerSecond)));
    }
    update();
}

double ThroughputGraph::scaleMaximum() const
{
    double highest = 0;
    for (const RateSample& s : m_samples) {
        highest = std::max({highest, s.rxBytesPerSecond, s.txBytesPerSecond});
    }
    // 1, 2, 5 x 10^n bytes per second, at least 1 KiB/s so an idle graph is flat, not noisy.
    static constexpr double kSteps[] = {2.0, 2.5, 2.0}; // 1 -> 2 -> 5 -> 10
    double scale = 1024;
    for (int i = 0; scale < highest; ++i) {
        scale *= kSteps[i % 3];
    }
    return scale;
}

int ThroughputGraph::nonZeroSamples() const
{
    int n = 0;
    for (const RateSample& s : m_samples) {
        n += (s.rxBytesPerSecond > 0 || s.txBytesPerSecond > 0) ? 1 : 0;
    }
    return n;
}

void ThroughputGraph::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), palette().base());
    const QFontMetrics fm = p.fontMetrics();
    const int left = 8;
    const int top = fm.height() + 6;
    const int bottom = height() - fm.height() - 6;
    const QRectF plot(left, top, width() - 2 * left, std::max(10, bottom - top));

    p.setPen(QPen(palette().mid().color(), 1, Qt::DotLine));
    for (int i = 0; i <= 4; ++i) {
        const double y = plot.top() + plot.height() * i / 4.0;
        p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
    }
    const double scale = scaleMaximum();
    p.setPen(palette().text().color());
    p.drawText(QPointF(left, fm.ascent() + 2), formatRate(scale));
    // The x axis grows with the history, a minute at a time, up to kHistorySeconds.
    const int spanSeconds =
        std::clamp(int((m_samples.size() + 59) / 60) * 60, 60, HelperSession::kHistorySeconds);
    const QString span = tr("last %n minute(s)", nullptr, spanSeconds / 60);
    p.drawText(QPointF(left, height() - 4), span);

    // Legend, right-aligned at the top.
    const QString rxLabel = tr("received");
    const QString txLabel = tr("sent");
    int x = width() - left - fm.horizontalAdvance(txLabel);
    p.setPen(kTxColor);
    p.drawText(QPointF(x, fm.ascent() + 2), txLabel);
    x -= fm.horizontalAdvance(rxLabel) + 16;
    p.setPen(kRxColor);
    p.drawText(QPointF(x, fm.ascent() + 2), rxLabel);

    if (m_samples.isEmpty()) {
        p.setPen(palette().placeholderText().color());
        p.drawText(plot, Qt::AlignCenter, tr("No traffic data yet"));
        return;
    }
    // Newest sample at the right edge, one sample per second.
    const double step = plot.width() / (spanSeconds - 1);
    const qsizetype first = std::max<qsizetype>(0, m_samples.size() - spanSeconds);
    const auto line = [&](auto value) {
        QPainterPath path;
        for (qsizetype i = first; i < m_samples.size(); ++i) {
            const double px = plot.right() - double(m_samples.size() - 1 - i) * step;
            const double py =
                plot.bottom() - plot.height() * std::min(1.0, value(m_samples[i]) / scale);
            if (i == first) {
                path.moveTo(px, py);
            } else {
                path.lineTo(px, py);
            }
        }
        return path;
    };
    // Received as a filled area, sent as a line on top: both stay visible when they are equal.
    const QPainterPath rx = line([](const RateSample& s) { return s.rxBytesPerSecond; });
    QPainterPath rxArea = rx;
    rxArea.lineTo(rx.currentPosition().x(), plot.bottom());
    rxArea.lineTo(rx.elementAt(0).x, plot.bottom());
    rxArea.closeSubpath();
    QColor fill = kRxColor;
    fill.setAlpha(70);
    p.fillPath(rxArea, fill);
    p.setBrush(Qt::NoBrush);
    p.setPen(QPen(kRxColor, 2));
    p.drawPath(rx);
    p.setPen(QPen(kTxColor, 2));
    p.drawPath(line([](const RateSample& s) { return s.txBytesPerSecond; }));
}

} // namespace peertun
