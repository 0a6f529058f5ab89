// ThroughputGraph: the scale follows the highest rate in 1-2-5 steps, and traffic shows up as
// painted pixels at the right (newest) end.
#include "ThroughputGraph.h"

#include <QImage>
#include <QTest>

using namespace peertun;

namespace {
QList<RateSample> samples(const QList<double>& rx, const QList<double>& tx)
{
    QList<RateSample> out;
    for (qsizetype i = 0; i < rx.size(); ++i) {
        out << RateSample{1000 * i, rx[i], tx.value(i)};
    }
    return out;
}

// Pixels that differ between two renderings in the columns [x0, x1), inside the plot (below
// the scale label, above the time label).
int changedPixels(const QImage& a, const QImage& b, int x0, int x1)
{
    int n = 0;
    for (int x = x0; x < x1; ++x) {
        for (int y = 30; y < a.height() - 30; ++y) {
            n += a.pixel(x, y) != b.pixel(x, y) ? 1 : 0;
        }
    }
    return n;
}
} // namespace

class TestThroughputGraph : public QObject
{
    Q_OBJECT

private slots:
    void scaleFollowsTheHighestRate_data();
    void scaleFollowsTheHighestRate();
    void trafficIsPaintedAtTheNewestEnd();
    void countsSamplesWithTraffic();
};

void TestThroughputGraph::scaleFollowsTheHighestRate_data()
{
    QTest::addColumn<double>("highest");
    QTest::addColumn<double>("scale");
    QTest::newRow("idle") << 0.0 << 1024.0;
    QTest::newRow("just under 1 KiB") << 1000.0 << 1024.0;
    QTest::newRow("over 1 KiB") << 1500.0 << 2048.0;
    QTest::newRow("over 2 KiB") << 3000.0 << 5120.0;
    QTest::newRow("over 5 KiB") << 6000.0 << 10240.0;
    QTest::newRow("1 MB/s") << 1.0e6 << 1024.0 * 1000;
}

void TestThroughputGraph::scaleFollowsTheHighestRate()
{
    QFETCH(double, highest);
    QFETCH(double, scale);
    ThroughputGraph graph;
    graph.setSamples(samples({0, highest / 2, 0}, {highest, 0, 0}));
    QCOMPARE(graph.scaleMaximum(), scale);
}

void TestThroughputGraph::trafficIsPaintedAtTheNewestEnd()
{
    ThroughputGraph graph;
    graph.resize(400, 160);
    graph.setSamples(samples(QList<double>(30, 0.0), QList<double>(30, 0.0)));
    const QImage idle = graph.grab().toImage();
    QList<double> rx(30, 0.0);
    for (int i = 20; i < 30; ++i) {
        rx[i] = 40000;
    }
    graph.setSamples(samples(rx, QList<double>(30, 20000.0)));
    const QImage busy = graph.grab().toImage();
    const int right = busy.width() - 60;
    // The newest samples (right) changed a lot; the oldest part of the plot (left) did not.
    QVERIFY2(changedPixels(idle, busy, right, busy.width() - 10) > 500,
             "received traffic fills the newest part of the graph");
    QCOMPARE(changedPixels(idle, busy, 10, 150), 0);
    QVERIFY(graph.toolTip().contains(QStringLiteral("received")));
}

void TestThroughputGraph::countsSamplesWithTraffic()
{
    ThroughputGraph graph;
    graph.setSamples(samples({0, 10, 0, 0, 5}, {0, 0, 0, 3, 0}));
    QCOMPARE(graph.nonZeroSamples(), 3);
    QCOMPARE(graph.samples().size(), 5);
}

QTEST_MAIN(TestThroughputGraph)
#include "tst_throughputgraph.moc"
