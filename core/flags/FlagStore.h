#pragma once

#include "Flag.h"
#include "audit/AuditLog.h"

#include <QCoreApplication>
#include <QSqlQuery>

#include <optional>

namespace sp {

class Workspace;

struct FlagDraft
{
    QString key;
    QString description;
    QStringList tags;
    bool enabled = false;
    int percentTenths = 0;
    QStringList prerequisites;
    QStringList includeSegments;
    QStringList excludeSegments;
};

// A partial change to a flag; unset fields stay as they are. Lists replace the whole list.
struct FlagPatch
{
    std::optional<bool> enabled;
    std::optional<int> percentTenths;
    std::optional<QString> description;
    std::optional<QStringList> tags;
    std::optional<QStringList> prerequisites;
    std::optional<QStringList> includeSegments;
    std::optional<QStringList> excludeSegments;
    // When set, the change is refused (sp::ErrorKind::Conflict) unless the flag is still at this
    // version: an editor that read version N never overwrites someone else's N+1.
    std::optional<qint64> expectedVersion;

    bool isEmpty() const
    {
        return !enabled && !percentTenths && !description && !tags && !prerequisites && !includeSegments && !excludeSegments;
    }
};

// Flags, segments and the kill switch in a workspace. Every change is validated, written in one
// transaction with its audit entry, and then republished to the flagd file if one is configured.
class FlagStore
{
    Q_DECLARE_TR_FUNCTIONS(FlagStore)

public:
    explicit FlagStore(Workspace &workspace);

    FlagSnapshot snapshot() const;
    QList<Flag> flags() const;
    std::optional<Flag> find(const QString &key) const;
    Flag get(const QString &key) const; // throws InvalidInput for an unknown flag
    QList<Segment> segments() const;
    bool killSwitch() const;

    Flag create(const FlagDraft &draft, const ChangeContext &ctx);
    Flag update(const QString &key, const FlagPatch &patch, const ChangeContext &ctx);
    Segment createSegment(const Segment &draft, const ChangeContext &ctx);
    void setKillSwitch(bool on, const ChangeContext &ctx);

    // Checks a would-be flag against the snapshot (a full one, or loadGraph()'s): tags,
    // prerequisites (exist, no cycle), segments (exist). Throws InvalidInput naming the problem.
    static void validate(const Flag &flag, const FlagSnapshot &snapshot);

    // The flags table's columns in the order readFlag() expects, for code that selects flags
    // with conditions of its own (rollbacks).
    static QString flagColumns();
    static Flag readFlag(const QSqlQuery &q);

private:
    FlagSnapshot loadSnapshot() const;
    std::optional<Flag> loadFlag(const QString &key) const;
    // Keys, prerequisite edges and segment names only: what validation needs.
    FlagSnapshot loadGraph() const;
    void writeFlag(const Flag &flag, bool insert);
    void afterCommit();

    Workspace &m_ws;
};

} // namespace sp
