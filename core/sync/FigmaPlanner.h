#pragma once

#include "sync/FigmaVariables.h"
#include "sync/VariableCollection.h"

#include <QCoreApplication>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

namespace sp {

// Figma's documented limits for POST /v1/files/:file_key/variables (qt-notes §3).
struct FigmaLimits
{
    // "4 MB" read as 4 000 000 bytes of serialized JSON: the strict reading, so no body is
    // refused whichever of the two readings Figma applies.
    static constexpr qsizetype maxBodyBytes = 4'000'000;
    static constexpr int maxVariablesPerCollection = 5'000;
    static constexpr int maxModesPerCollection = 40;
    static constexpr int maxModeNameLength = 40;
};

// Plans the POST bodies that turn a Figma file's collection into `desired`. Pure logic, no I/O:
// the caller sends each body and hands the answer's tempIdToRealId back before asking for the
// next one, because a body after the first may reference objects the first created.
//
// Order inside the plan (and so across bodies): the collection, its modes, variable deletions,
// creations, description updates, then values, literals before aliases and alias targets before
// the variables that alias them. Figma applies a body collections → modes → variables → values,
// so every object a body references was created by that body or an earlier one.
//
// Every check (names, limits, value types, aliases, cycles) runs in the constructor, which throws
// sp::invalid before the caller has sent anything.
class FigmaPlanner
{
    Q_DECLARE_TR_FUNCTIONS(FigmaPlanner)

public:
    struct Scope
    {
        // true: legacy full replace — create missing variables and modes, write every value,
        // delete variables and modes of the collection that `desired` lacks, recreate variables
        // whose type changed. false: the sync path — only `changed` and `deleted` are touched.
        bool fullReplace = true;
        QStringList changed; // variables whose values may differ; unchanged values are not sent
        QStringList deleted; // variables to delete when Figma has them

        static Scope all() { return Scope{}; }
        static Scope only(const QStringList &changed, const QStringList &deleted = {})
        { return Scope{false, changed, deleted}; }
    };

    // Counts for run records. A variable recreated because its type changed counts as one
    // deletion and one creation.
    struct Counts
    {
        int created = 0;
        int updated = 0;
        int deleted = 0;
    };

    FigmaPlanner(const FigmaFileState &state, const VariableCollection &desired, const Scope &scope,
                 qsizetype maxBodyBytes = FigmaLimits::maxBodyBytes);

    // The checks that need no Figma state: names, mode count and names, variable count, value
    // types and alias cycles. Throws sp::invalid naming the collection, variable or limit.
    static void checkDesired(const VariableCollection &desired);

    bool hasNext() const { return m_next < m_entries.size(); }
    // The next body. Call applyResponse with its answer before calling next() again.
    QJsonObject next();
    // The meta.tempIdToRealId of the answer to the body last returned by next().
    void applyResponse(const QJsonObject &tempIdToRealId);

    // What the whole plan does.
    const Counts &planned() const { return m_planned; }
    // What the bodies confirmed by applyResponse did.
    const Counts &applied() const { return m_applied; }
    int bodiesReturned() const { return m_bodies; }
    int bodiesApplied() const { return m_bodiesApplied; }
    bool isEmpty() const { return m_entries.isEmpty(); }

private:
    enum class Section { Collections, Modes, Variables, Values };
    enum class Count { None, Created, Updated, Deleted };
    struct Entry
    {
        Section section = Section::Values;
        QJsonObject json;
        QStringList createsTempIds; // a CREATE: the temporary ids it introduces
        Count count = Count::None; // counted when the body holding this entry is applied
        QString what;              // for messages: "variable \"color/brand\" (mode \"Dark\")"
    };

    void planCollectionAndModes(const FigmaFileState &state, const VariableCollection &desired);
    void planVariables(const FigmaFileState &state, const VariableCollection &desired);
    QString tempId(char kind);
    QJsonObject resolved(const Entry &entry, int body) const;
    QString resolvedId(const QString &id, int body, const Entry &entry) const;
    void add(Section section, const QJsonObject &json, Count count, const QString &what,
             const QStringList &createsTempIds = {});

    Scope m_scope;
    qsizetype m_maxBodyBytes;

    const FigmaCollection *m_collection = nullptr;
    QString m_collectionId;            // real or temporary
    QStringList m_modeIds;             // per desired mode, real or temporary
    QList<bool> m_modeIsNew;           // per desired mode: created (or renamed) by this plan
    QHash<QString, QString> m_variableIds; // desired name → real or temporary id after the plan

    QList<Entry> m_entries;
    qsizetype m_next = 0;
    int m_tempCounter = 0;
    QSet<QString> m_tempIds;             // every temporary id of the plan
    QHash<QString, int> m_tempBody;      // temporary id → body (1-based) that creates it
    QHash<QString, QString> m_realIds;   // temporary id → real id, from the answers
    QList<Count> m_pendingCounts;        // counts of the body last returned
    Counts m_planned;
    Counts m_applied;
    int m_bodies = 0;
    int m_bodiesApplied = 0;
};

} // namespace sp
