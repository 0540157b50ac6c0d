#pragma once

#include "flags/Flag.h"
#include "flags/FlagStore.h"

#include <QAbstractTableModel>
#include <QList>

#include <functional>

namespace sp {

class Workspace;
class WorkspaceWatcher;

// The workspace's flags as a table, one row per flag in key order. Rows are updated in place
// (never by a model reset) when the workspace changes, so views keep their selection and current
// row while other consoles and the CLI change flags.
class FlagTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { KeyColumn, StateColumn, PercentColumn, TagsColumn, PrerequisitesColumn, LastChangeColumn, ColumnCount };
    enum Role {
        KeyRole = Qt::UserRole + 1, // the flag key, whatever the column
        SortRole,                   // a value that sorts naturally (numbers, times)
        SearchRole,                 // key, description and tags: what the filter matches
        ForcedOffRole,              // bool: on, but held off by the kill switch (tagged sync)
    };

    explicit FlagTableModel(Workspace &workspace, QObject *parent = nullptr);

    // Reload whenever the watcher sees a commit from any process.
    void watch(WorkspaceWatcher *watcher);
    // Who writes (source "gui" and the signed-in account: ConsoleContext::change()). Without it,
    // this OS user from the GUI.
    void setChangeContext(std::function<ChangeContext()> provider) { m_changeContext = std::move(provider); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    // Checking or unchecking the State cell turns the flag on or off in the workspace, unless it
    // changed since it was shown (then the model reloads and writeFailed() says why).
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;

    const Flag *flagAt(int row) const;
    int rowOf(const QString &key) const; // -1 if not shown
    bool killSwitch() const { return m_killSwitch; }
    qint64 revision() const { return m_revision; }

public Q_SLOTS:
    void reload();

Q_SIGNALS:
    // A change was refused or failed; message is translated and says what to do.
    void writeFailed(const QString &message);
    // The workspace could not be read (e.g. a PostgreSQL server went away); retried on the next change.
    void loadFailed(const QString &message);
    // After every successful reload: the kill switch, the revision or the rows may be new.
    void reloaded();

private:
    QString stateText(const Flag &flag) const;
    QString lastChangeText(const Flag &flag) const;
    QString toolTip(const Flag &flag, int column) const;
    QVariant sortValue(const Flag &flag, int column) const;

    Workspace &m_ws;
    FlagStore m_store;
    QList<Flag> m_flags; // sorted by key
    bool m_killSwitch = false;
    qint64 m_revision = 0;
    std::function<ChangeContext()> m_changeContext;
};

} // namespace sp
