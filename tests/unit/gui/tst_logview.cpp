// LogView: level filter, search, copy, clear, follow-tail and the line cap.
#include "LogView.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QTest>
#include <QTreeView>

using namespace peertun;

namespace {
LogLine line(const QString& level, const QString& text, const QString& tunnel = QString(),
             const QString& source = QStringLiteral("helper"))
{
    return LogLine{1764064000000, level, source, tunnel, text};
}
} // namespace

class TestLogView : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup() { m_view.reset(); }
    void levelFilter_data();
    void levelFilter();
    void searchMatchesAnyColumn();
    void copiesSelectionOrEverythingShown();
    void clearEmptiesTheView();
    void followKeepsTheNewestLineInView();
    void keepsAtMostMaxLines();

private:
    std::unique_ptr<LogView> m_view;
};

void TestLogView::init()
{
    m_view = std::make_unique<LogView>();
    m_view->resize(700, 200);
    m_view->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_view.get()));
    m_view->append(line("debug", "polling"));
    m_view->append(line("info", "connected", "office"));
    m_view->append(line("warning", "Connect denied to uid 1001", QString()));
    m_view->append(line("error", "bind failed", "home", "app"));
}

void TestLogView::levelFilter_data()
{
    QTest::addColumn<int>("filterIndex");
    QTest::addColumn<QStringList>("expected");
    QTest::newRow("debug and above")
        << 0 << QStringList{"polling", "connected", "Connect denied", "bind failed"};
    QTest::newRow("info and above (default)")
        << 1 << QStringList{"connected", "Connect denied", "bind failed"};
    QTest::newRow("warnings and errors") << 2 << QStringList{"Connect denied", "bind failed"};
    QTest::newRow("errors only") << 3 << QStringList{"bind failed"};
}

void TestLogView::levelFilter()
{
    QFETCH(int, filterIndex);
    QFETCH(QStringList, expected);
    if (filterIndex != 1) {
        QCOMPARE(m_view->visibleLines().size(), 3); // the default hides debug
    }
    m_view->levelFilter()->setCurrentIndex(filterIndex);
    const QStringList lines = m_view->visibleLines();
    QCOMPARE(lines.size(), expected.size());
    for (int i = 0; i < lines.size(); ++i) {
        QVERIFY2(lines[i].contains(expected[i]), qPrintable(lines[i]));
    }
    QCOMPARE(m_view->totalLines(), 4);
}

void TestLogView::searchMatchesAnyColumn()
{
    QTest::keyClicks(m_view->searchEdit(), "OFFICE"); // tunnel column, any case
    QCOMPARE(m_view->visibleLines().size(), 1);
    QVERIFY(m_view->visibleLines().first().contains("[office] connected"));
    m_view->searchEdit()->setText("uid 1001"); // message column
    QCOMPARE(m_view->visibleLines().size(), 1);
    m_view->searchEdit()->setText("app"); // source column
    QCOMPARE(m_view->visibleLines().size(), 1);
    QVERIFY(m_view->visibleLines().first().contains("bind failed"));
    m_view->searchEdit()->clear();
    QCOMPARE(m_view->visibleLines().size(), 3);
}

void TestLogView::copiesSelectionOrEverythingShown()
{
    m_view->copyToClipboard();
    QString copied = QApplication::clipboard()->text();
    QCOMPARE(copied.count('\n'), 3);
    QVERIFY(copied.contains("warning helper Connect denied to uid 1001"));
    QVERIFY(copied.contains("error app [home] bind failed"));
    QVERIFY(!copied.contains("polling")); // filtered out, not copied

    m_view->view()->selectionModel()->select(m_view->view()->model()->index(1, 0),
                                             QItemSelectionModel::ClearAndSelect |
                                                 QItemSelectionModel::Rows);
    m_view->copyToClipboard();
    copied = QApplication::clipboard()->text();
    QCOMPARE(copied.count('\n'), 1);
    QVERIFY(copied.contains("Connect denied"));
}

void TestLogView::clearEmptiesTheView()
{
    const QList<QPushButton*> buttons = m_view->findChildren<QPushButton*>();
    for (QPushButton* b : buttons) {
        if (b->text().remove('&') == QStringLiteral("Clear")) {
            QTest::mouseClick(b, Qt::LeftButton);
        }
    }
    QCOMPARE(m_view->totalLines(), 0);
    QVERIFY(m_view->visibleLines().isEmpty());
    m_view->append(line("info", "after clear"));
    QCOMPARE(m_view->visibleLines().size(), 1);
}

void TestLogView::followKeepsTheNewestLineInView()
{
    QScrollBar* bar = m_view->view()->verticalScrollBar();
    for (int i = 0; i < 200; ++i) {
        m_view->append(line("info", QStringLiteral("line %1").arg(i)));
    }
    QCoreApplication::processEvents();
    QVERIFY(bar->maximum() > 0);
    QTRY_COMPARE(bar->value(), bar->maximum());

    m_view->followCheck()->setChecked(false);
    bar->setValue(0);
    m_view->append(line("info", "one more"));
    QCoreApplication::processEvents();
    QCOMPARE(bar->value(), 0); // not following: stays where the reader is
    m_view->followCheck()->setChecked(true);
    QTRY_COMPARE(bar->value(), bar->maximum());
}

void TestLogView::keepsAtMostMaxLines()
{
    for (int i = 0; i < LogView::kMaxLines + 10; ++i) {
        m_view->append(line("info", QStringLiteral("n%1").arg(i)));
    }
    QCOMPARE(m_view->totalLines(), LogView::kMaxLines);
    QVERIFY(
        m_view->visibleLines().last().contains(QStringLiteral("n%1").arg(LogView::kMaxLines + 9)));
    QVERIFY(!m_view->visibleLines().first().contains("polling"));
}

QTEST_MAIN(TestLogView)
#include "tst_logview.moc"
