// The helper's log merged with the app's own events: level filter, search, copy, clear and
// follow-tail. Keeps the newest kMaxLines lines.
#pragma once

#include "HelperSession.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QSortFilterProxyModel;
class QStandardItemModel;
class QTreeView;

namespace peertun {

class LogFilterModel;

class LogView : public QWidget
{
    Q_OBJECT
public:
    static constexpr int kMaxLines = 5000;
    enum Column { Time, Level, Source, Tunnel, Text, ColumnCount };

    explicit LogView(QWidget* parent = nullptr);

    void append(const LogLine& line);
    void clear();
    // Lines that pass the filter, as copied ("time level source [tunnel] text").
    QStringList visibleLines() const;
    int totalLines() const;
    void copyToClipboard() const; // selected lines, or all visible ones

    QComboBox* levelFilter() const { return m_level; }
    QLineEdit* searchEdit() const { return m_search; }
    QCheckBox* followCheck() const { return m_follow; }
    QTreeView* view() const { return m_view; }

private:
    QString lineText(int proxyRow) const;
    QStandardItemModel* m_model;
    LogFilterModel* m_filter;
    QTreeView* m_view;
    QComboBox* m_level;
    QLineEdit* m_search;
    QCheckBox* m_follow;
};

} // namespace peertun
