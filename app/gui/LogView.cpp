#include "LogView.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QTreeView>
#include <QVBoxLayout>

namespace peertun {

namespace {

constexpr int kLevelRole = Qt::UserRole + 1;

int levelRank(const QString& level)
{
    if (level == QLatin1String("debug")) {
        return 0;
    }
    if (level == QLatin1String("warning")) {
        return 2;
    }
    if (level == QLatin1String("error")) {
        return 3;
    }
    return 1; // info and anything unknown
}

QString levelText(const QString& level)
{
    switch (levelRank(level)) {
    case 0:
        return LogView::tr("debug");
    case 2:
        return LogView::tr("warning");
    case 3:
        return LogView::tr("error");
    default:
        return LogView::tr("info");
    }
}

} // namespace

class LogFilterModel : public QSortFilterProxyModel
{
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;
    void setMinimumLevel(int rank)
    {
        m_minimum = rank;
        invalidateFilter();
    }
    void setSearch(const QString& text)
    {
        m_search = text;
        invalidateFilter();
    }

protected:
    bool filterAcceptsRow(int row, const QModelIndex& parent) const override
    {
        const QAbstractItemModel* m = sourceModel();
        if (m->index(row, LogView::Level, parent).data(kLevelRole).toInt() < m_minimum) {
            return false;
        }
        if (m_search.isEmpty()) {
            return true;
        }
        for (int c = 0; c < LogView::ColumnCount; ++c) {
            if (m->index(row, c, parent)
                    .data()
                    .toString()
                    .contains(m_search, Qt::CaseInsensitive)) {
                return true;
            }
        }
        return false;
    }

private:
    int m_minimum = 1;
    QString m_search;
};

LogView::LogView(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* bar = new QHBoxLayout;
    m_level = new QComboBox(this);
    m_level->addItem(tr("Debug and above"), 0);
    m_level->addItem(tr("Info and above"), 1);
    m_level->addItem(tr("Warnings and errors"), 2);
    m_level->addItem(tr("Errors only"), 3);
    m_level->setCurrentIndex(1);
    m_level->setAccessibleName(tr("Log level filter"));
    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(tr("Search the log"));
    m_search->setClearButtonEnabled(true);
    m_search->setAccessibleName(tr("Search the log"));
    m_follow = new QCheckBox(tr("&Follow"), this);
    m_follow->setChecked(true);
    m_follow->setToolTip(tr("Keep the newest line in view"));
    auto* copy = new QPushButton(tr("Cop&y"), this);
    copy->setToolTip(tr("Copy the selected lines, or all shown lines"));
    auto* clearButton = new QPushButton(tr("Cl&ear"), this);
    bar->addWidget(m_level);
    bar->addWidget(m_search, 1);
    bar->addWidget(m_follow);
    bar->addWidget(copy);
    bar->addWidget(clearButton);
    layout->addLayout(bar);

    m_model = new QStandardItemModel(0, ColumnCount, this);
    m_model->setHorizontalHeaderLabels(
        {tr("Time"), tr("Level"), tr("Source"), tr("Tunnel"), tr("Message")});
    m_filter = new LogFilterModel(this);
    m_filter->setSourceModel(m_model);
    m_view = new QTreeView(this);
    m_view->setModel(m_filter);
    m_view->setRootIsDecorated(false);
    m_view->setUniformRowHeights(true);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setAccessibleName(tr("Log"));
    m_view->header()->setStretchLastSection(true);
    m_view->setColumnWidth(Time, 90);
    m_view->setColumnWidth(Level, 70);
    m_view->setColumnWidth(Source, 60);
    m_view->setColumnWidth(Tunnel, 80);
    layout->addWidget(m_view, 1);

    connect(m_level, &QComboBox::currentIndexChanged, this,
            [this] { m_filter->setMinimumLevel(m_level->currentData().toInt()); });
    connect(m_search, &QLineEdit::textChanged, m_filter,
            [this](const QString& text) { m_filter->setSearch(text); });
    connect(copy, &QPushButton::clicked, this, &LogView::copyToClipboard);
    connect(clearButton, &QPushButton::clicked, this, &LogView::clear);
    connect(m_follow, &QCheckBox::toggled, this, [this](bool on) {
        if (on) {
            m_view->scrollToBottom();
        }
    });
}

void LogView::append(const LogLine& line)
{
    QList<QStandardItem*> row;
    const QDateTime time = QDateTime::fromMSecsSinceEpoch(line.unixMs);
    auto* timeItem = new QStandardItem(time.toString(QStringLiteral("HH:mm:ss")));
    timeItem->setToolTip(QLocale().toString(time, QLocale::LongFormat));
    auto* levelItem = new QStandardItem(levelText(line.level));
    levelItem->setData(levelRank(line.level), kLevelRole);
    if (levelRank(line.level) >= 2) {
        levelItem->setForeground(levelRank(line.level) == 3 ? QColor(0xb0, 0x00, 0x20)
                                                            : QColor(0xa0, 0x60, 0x00));
    }
    row << timeItem << levelItem
        << new QStandardItem(line.source == QLatin1String("app") ? tr("app") : tr("helper"))
        << new QStandardItem(line.tunnel) << new QStandardItem(line.text);
    m_model->appendRow(row);
    if (m_model->rowCount() > kMaxLines) {
        m_model->removeRows(0, m_model->rowCount() - kMaxLines);
    }
    if (m_follow->isChecked()) {
        m_view->scrollToBottom();
    }
}

void LogView::clear()
{
    m_model->removeRows(0, m_model->rowCount());
}

int LogView::totalLines() const
{
    return m_model->rowCount();
}

QString LogView::lineText(int proxyRow) const
{
    const auto cell = [this, proxyRow](int column) {
        return m_filter->index(proxyRow, column).data().toString();
    };
    const QString tunnel =
        cell(Tunnel).isEmpty() ? QString() : QStringLiteral("[%1] ").arg(cell(Tunnel));
    return QStringLiteral("%1 %2 %3 %4%5")
        .arg(cell(Time), cell(Level), cell(Source), tunnel, cell(Text));
}

QStringList LogView::visibleLines() const
{
    QStringList lines;
    for (int r = 0; r < m_filter->rowCount(); ++r) {
        lines << lineText(r);
    }
    return lines;
}

void LogView::copyToClipboard() const
{
    QList<int> rows;
    for (const QModelIndex& index : m_view->selectionModel()->selectedRows()) {
        rows << index.row();
    }
    std::sort(rows.begin(), rows.end());
    QStringList lines;
    if (rows.isEmpty()) {
        lines = visibleLines();
    } else {
        for (int r : rows) {
            lines << lineText(r);
        }
    }
    QApplication::clipboard()->setText(lines.join(QLatin1Char('\n')) + QLatin1Char('\n'));
}

} // namespace peertun
