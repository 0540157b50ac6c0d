#include "sync/Mapping.h"

#include "common/Error.h"
#include "sync/NameIndex.h"
#include "sync/ValueParser.h"

#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <exception>
#include <thread>
#include <optional>
#include <utility>
#include <vector>

namespace sp {

namespace {

const QString kName = QStringLiteral("Name");
const QString kType = QStringLiteral("Type");
const QString kDescription = QStringLiteral("Description");
const QString kEmpty;
// Where problem() puts what a typing thread finds (its rows' own list); null: the result's list.
thread_local QList<MappingProblem> *t_sink = nullptr;
// Sheets with at least this many rows are typed on two threads.
constexpr qsizetype kParallelRows = 20'000;

// "A".."ZZZ" → 0-based column, or -1. Upper case only, so a header word such as "Type" that is
// missing is reported as missing instead of being read as column TYPE.
int columnFromLetters(const QString &text)
{
    if (text.isEmpty() || text.size() > 3)
        return -1;
    int column = 0;
    for (const QChar c : text) {
        if (c < u'A' || c > u'Z')
            return -1;
        column = column * 26 + (c.unicode() - u'A' + 1);
    }
    return column - 1;
}

// Most cells have nothing to trim: this spares the library call for them.
QStringView trimmedView(QStringView s)
{
    if (s.isEmpty() || (!s.front().isSpace() && !s.back().isSpace()))
        return s;
    return s.trimmed();
}

// s.trimmed(), sharing s when there is nothing to trim.
QString trimmedCopy(const QString &s)
{
    return trimmedView(s).size() == s.size() ? s : s.trimmed();
}

// "Sheet1!3:3", the A1 notation for a whole row.
QString rowReference(const QString &sheet, int row)
{
    QString ref = cellReference(sheet, row, 0);
    ref.truncate(ref.lastIndexOf(u'!') + 1);
    return ref + QStringLiteral("%1:%1").arg(row + 1);
}

// Name → variable index for the duplicate check, groups and aliases. A slot packs 32 bits of the
// name's hash with the variable's index, so a probe reads 8 bytes and names are compared only when
// the hashes agree: with 100 000 rows, tables of name views or QString keys spent most of their
// time in cache misses (DESIGN.md §4 gives the whole mapping 150 ms).
class VariableIndex
{
public:
    explicit VariableIndex(const QList<Variable> &variables) : m_variables(variables) {}

    void reserve(qsizetype count)
    {
        size_t size = 16;
        while (size < size_t(count) * 2)
            size *= 2;
        if (size > m_slots.size())
            rehash(size);
    }

    // The index of the variable called name, or -1.
    int find(QStringView name) const
    {
        if (m_slots.empty())
            return -1;
        const quint64 h = hash(name);
        for (size_t i = h & m_mask;; i = (i + 1) & m_mask) {
            const quint64 slot = m_slots[i];
            if (slot == 0)
                return -1;
            const int index = int(quint32(slot)) - 1;
            if ((slot >> 32) == (h >> 32) && m_variables.at(index).name == name)
                return index;
        }
    }

    // FNV-1a over the UTF-16 units; the high half is kept in the slot, the low half picks it.
    static quint64 hash(QStringView name)
    {
        quint64 h = 14695981039346656037ull;
        for (const QChar c : name)
            h = (h ^ c.unicode()) * 1099511628211ull;
        return h ^ (h >> 29);
    }

    // Starts loading the slot a later insert(name, hash(name)) reads first: a lookup in a table
    // of 100 000 names is a cache miss, which the work on the row in between then hides.
    void prefetch(quint64 h) const
    {
#if defined(__GNUC__)
        if (!m_slots.empty())
            __builtin_prefetch(&m_slots[h & m_mask]);
#else
        Q_UNUSED(h);
#endif
    }

    // Records that variable `index` is called name (whose hash() is h), unless an earlier
    // variable (already in the list) has that name: then returns the earlier one's index, else -1.
    int insert(QStringView name, int index, quint64 h)
    {
        if ((m_count + 1) * 2 > m_slots.size())
            rehash(std::max<size_t>(16, m_slots.size() * 2));
        size_t i = h & m_mask;
        for (;; i = (i + 1) & m_mask) {
            const quint64 slot = m_slots[i];
            if (slot == 0)
                break;
            const int existing = int(quint32(slot)) - 1;
            if ((slot >> 32) == (h >> 32) && m_variables.at(existing).name == name)
                return existing;
        }
        m_slots[i] = (h & 0xffffffff00000000ull) | quint32(index + 1);
        ++m_count;
        return -1;
    }

private:
    void rehash(size_t size)
    {
        // The slot holds only the high half of the hash, so re-placing needs the name: all names
        // indexed so far are in the list already.
        std::vector<quint64> old(size, 0);
        old.swap(m_slots);
        m_mask = size - 1;
        for (const quint64 slot : old) {
            if (slot == 0)
                continue;
            size_t i = hash(m_variables.at(int(quint32(slot)) - 1).name) & m_mask;
            while (m_slots[i] != 0)
                i = (i + 1) & m_mask;
            m_slots[i] = slot;
        }
    }

    const QList<Variable> &m_variables;
    std::vector<quint64> m_slots;
    size_t m_mask = 0;
    size_t m_count = 0;
};

enum class TypeState : quint8 {
    Known,     // explicit or inferred from literal values
    Pending,   // only aliases: the type is the target's
    Unknown,   // unknown type text, or an alias-only row whose target has no type
};

// An alias cell: variable, mode, and the variable it names once known.
struct Alias
{
    int variable = 0;
    int mode = 0;
    int target = -1;
};

// What the mapping knows about each variable while it checks aliases.
struct RowInfo
{
    int row = 0;
    TypeState state = TypeState::Known;
};

class Mapper
{
public:
    Mapper(const Table &table, const MappingSpec &spec, MappingResult &result)
        : m_table(table), m_spec(spec), m_result(result), m_sheet(table.name) {}

    void run()
    {
        m_result.collection.name = m_spec.collection.isEmpty() ? m_table.name : m_spec.collection;
        if (!readHeader())
            return;
        readRows();
        checkGroups();
        resolvePendingTypes();
        checkAliases();
        std::stable_sort(m_result.problems.begin(), m_result.problems.end(),
                         [](const MappingProblem &a, const MappingProblem &b) {
                             return a.row != b.row ? a.row < b.row : a.column < b.column;
                         });
    }

private:
    void problem(int row, int column, const QString &message) const
    {
        QString cell;
        if (row < 0)
            cell = m_sheet;
        else if (column < 0)
            cell = rowReference(m_sheet, row);
        else
            cell = cellReference(m_sheet, row, column);
        (t_sink ? *t_sink : m_result.problems).append(MappingProblem{cell, message, row, column});
    }

    int findColumn(const QString &wanted) const
    {
        const QString w = wanted.trimmed();
        for (int c = 0; c < m_header.size(); ++c) {
            if (m_header.at(c).compare(w, Qt::CaseInsensitive) == 0)
                return c;
        }
        return columnFromLetters(w);
    }

    QString headerList() const
    {
        QStringList names;
        for (const QString &h : m_header) {
            if (!h.isEmpty())
                names << h;
        }
        return names.join(QStringLiteral(", "));
    }

    // An optional column (type, description): absent is fine when the spec kept the default
    // header; a column the spec names explicitly must exist.
    int optionalColumn(const QString &wanted, const QString &defaultName, const QString &what)
    {
        if (wanted.trimmed().isEmpty())
            return -1;
        const int c = findColumn(wanted);
        if (c < 0 && wanted.compare(defaultName, Qt::CaseInsensitive) != 0)
            problem(m_headerRow, -1, Mapping::tr("no %1 column \"%2\" in header row %3 (the columns are: %4)")
                                         .arg(what, wanted).arg(m_headerRow + 1).arg(headerList()));
        return c;
    }

    bool readHeader()
    {
        if (m_spec.headerRow < 1) {
            problem(-1, -1, Mapping::tr("the header row must be 1 or more, not %1").arg(m_spec.headerRow));
            return false;
        }
        m_headerRow = m_spec.headerRow - 1;
        if (m_headerRow < m_table.rows.size()) {
            for (const QString &h : m_table.rows.at(m_headerRow))
                m_header << h.trimmed();
        }
        if (std::all_of(m_header.cbegin(), m_header.cend(), [](const QString &h) { return h.isEmpty(); })) {
            problem(m_headerRow, -1, Mapping::tr("header row %1 is empty: it must name the columns (Name, Type, Light, Dark, …)")
                                         .arg(m_headerRow + 1));
            return false;
        }
        const int problemsBefore = int(m_result.problems.size());

        m_nameColumn = findColumn(m_spec.nameColumn);
        if (m_nameColumn < 0) {
            problem(m_headerRow, -1, Mapping::tr("no name column \"%1\" in header row %2 (the columns are: %3)")
                                         .arg(m_spec.nameColumn).arg(m_headerRow + 1).arg(headerList()));
            return false;
        }
        m_typeColumn = optionalColumn(m_spec.typeColumn, kType, Mapping::tr("type"));
        m_descriptionColumn = optionalColumn(m_spec.descriptionColumn, kDescription, Mapping::tr("description"));

        auto reserved = [this](int c) { return c == m_nameColumn || c == m_typeColumn || c == m_descriptionColumn; };
        if (m_spec.modeColumns.isEmpty()) {
            for (int c = 0; c < m_header.size(); ++c) {
                if (!m_header.at(c).isEmpty() && !reserved(c))
                    m_modeColumns << c;
            }
        } else {
            for (const QString &wanted : m_spec.modeColumns) {
                const int c = findColumn(wanted);
                if (c < 0)
                    problem(m_headerRow, -1, Mapping::tr("no mode column \"%1\" in header row %2 (the columns are: %3)")
                                                 .arg(wanted).arg(m_headerRow + 1).arg(headerList()));
                else if (reserved(c))
                    problem(m_headerRow, c, Mapping::tr("column \"%1\" cannot be a mode: it holds the names, types or descriptions")
                                                .arg(wanted));
                else if (c >= m_header.size() || m_header.at(c).isEmpty())
                    problem(m_headerRow, c, Mapping::tr("mode column %1 has no name in the header row").arg(columnLetters(c)));
                else
                    m_modeColumns << c;
            }
        }

        if (m_modeColumns.isEmpty() && m_result.problems.size() == problemsBefore)
            problem(m_headerRow, -1, Mapping::tr("no mode columns: after the name column, add one column per mode (Light, Dark, …)"));
        if (m_modeColumns.size() > Mapping::maxModes)
            problem(m_headerRow, -1, Mapping::tr("%1 mode columns; a collection has at most %2 modes")
                                         .arg(m_modeColumns.size()).arg(Mapping::maxModes));
        QHash<QString, int> seen;
        for (const int c : std::as_const(m_modeColumns)) {
            const QString &mode = m_header.at(c);
            if (mode.size() > Mapping::maxModeNameLength)
                problem(m_headerRow, c, Mapping::tr("mode name \"%1\" is longer than %2 characters").arg(mode).arg(Mapping::maxModeNameLength));
            if (const auto it = seen.constFind(mode); it != seen.constEnd())
                problem(m_headerRow, c, Mapping::tr("duplicate mode \"%1\" (first at %2)").arg(mode, cellReference(m_sheet, m_headerRow, *it)));
            else
                seen.insert(mode, c);
        }
        if (m_result.problems.size() != problemsBefore)
            return false;
        for (const int c : std::as_const(m_modeColumns))
            m_result.collection.modes << m_header.at(c);
        return true;
    }

    bool rowHasValues(const QStringList &cells) const
    {
        auto filled = [&cells](int c) { return c >= 0 && c < cells.size() && !cells.at(c).trimmed().isEmpty(); };
        if (filled(m_typeColumn) || filled(m_descriptionColumn))
            return true;
        return std::any_of(m_modeColumns.cbegin(), m_modeColumns.cend(), filled);
    }

    // One data row, typed and parsed on its own (no other row needed): the part of the mapping
    // that runs on both cores. Names are checked against each other afterwards, in sheet order.
    struct ParsedRow
    {
        Variable v;               // an empty name: the row is skipped
        RowInfo info;
        bool valuesWithoutName = false;
        QString nameProblem;
        quint64 hash = 0;
        QList<MappingProblem> problems; // of its type and value cells
    };

    void parseRows(int from, int to, std::vector<ParsedRow> &out) const
    {
        const int modeCount = int(m_modeColumns.size());
        QList<ValueParser::Shape> shapes(modeCount);
        QList<VariableValue> parsed(modeCount);
        QString error;
        // Type cells repeat ("COLOR", "FLOAT", …): each distinct text is parsed once.
        struct TypeText
        {
            QString text;
            bool known = false;
            VariableType type = VariableType::String;
        };
        QList<TypeText> typeTexts;
        for (int r = from; r < to; ++r) {
            ParsedRow &pr = out[size_t(r - m_headerRow - 1)];
            t_sink = &pr.problems;
            const QStringList &cells = m_table.rows.at(r);
            auto cell = [&cells](int c) -> const QString & { return c >= 0 && c < cells.size() ? cells.at(c) : kEmpty; };
            Variable &v = pr.v;
            v.name = trimmedCopy(cell(m_nameColumn));
            if (v.name.isEmpty()) {
                pr.valuesWithoutName = rowHasValues(cells);
                continue;
            }
            pr.hash = VariableIndex::hash(v.name);
            pr.nameProblem = ValueParser::checkName(v.name);
            v.description = trimmedCopy(cell(m_descriptionColumn));
            v.values.resize(modeCount);
            pr.info.row = r;

            const QString &typeText = cell(m_typeColumn);
            if (!trimmedView(typeText).isEmpty()) {
                auto known = std::find_if(typeTexts.cbegin(), typeTexts.cend(), [&typeText](const TypeText &t) { return t.text == typeText; });
                if (known == typeTexts.cend()) {
                    TypeText parsedType{.text = typeText};
                    parsedType.known = parseVariableType(typeText, &parsedType.type);
                    if (typeTexts.size() == 16) // a sheet with many spellings: keep the cache small
                        typeTexts.removeFirst();
                    typeTexts.append(parsedType);
                    known = typeTexts.cend() - 1;
                }
                const bool typeKnown = known->known;
                v.type = known->type;
                if (!typeKnown) {
                    problem(r, m_typeColumn, Mapping::tr("\"%1\" is not a type (use COLOR, FLOAT, BOOLEAN or STRING)").arg(typeText.trimmed()));
                    pr.info.state = TypeState::Unknown;
                } else {
                    for (int m = 0; m < modeCount; ++m)
                        parseCell(r, m, cell(m_modeColumns.at(m)), v.type, false, &v.values[m], error);
                }
            } else {
                for (int m = 0; m < modeCount; ++m) {
                    parsed[m] = VariableValue(); // an alias with a bad name leaves it untouched
                    shapes[m] = ValueParser::shape(cell(m_modeColumns.at(m)), &parsed[m]);
                }
                const std::optional<VariableType> inferred = ValueParser::inferType(shapes);
                if (inferred)
                    v.type = *inferred;
                else
                    pr.info.state = TypeState::Pending;
                for (int m = 0; m < modeCount; ++m) {
                    const QString &text = cell(m_modeColumns.at(m));
                    if (matches(shapes.at(m), v.type, inferred.has_value()) && parsed.at(m).isAlias() == (shapes.at(m) == ValueParser::Shape::Alias))
                        v.values[m] = std::move(parsed[m]);
                    else
                        parseCell(r, m, text, v.type, true, &v.values[m], error);
                }
            }
        }
        t_sink = nullptr;
    }

    void readRows()
    {
        const int first = m_headerRow + 1;
        const int end = int(m_table.rows.size());
        const qsizetype capacity = std::max(0, end - first);
        m_result.collection.variables.reserve(capacity);
        m_rows.reserve(capacity);
        m_names.reserve(capacity);
        std::vector<ParsedRow> parsed(static_cast<size_t>(capacity));
        // Large sheets are typed on two threads (half the rows each); rows are independent here.
        if (capacity >= kParallelRows && std::thread::hardware_concurrency() > 1) {
            const int middle = first + int(capacity / 2);
            std::exception_ptr failure;
            std::thread second([&] {
                try {
                    parseRows(middle, end, parsed);
                } catch (...) {
                    failure = std::current_exception();
                }
            });
            try {
                parseRows(first, middle, parsed);
            } catch (...) {
                second.join();
                throw;
            }
            second.join();
            if (failure)
                std::rethrow_exception(failure);
        } else {
            parseRows(first, end, parsed);
        }

        const int modeCount = int(m_modeColumns.size());
        for (size_t i = 0; i < parsed.size(); ++i) {
            ParsedRow &pr = parsed[i];
            const int r = first + int(i);
            if (i + 1 < parsed.size() && !parsed[i + 1].v.name.isEmpty())
                m_names.prefetch(parsed[i + 1].hash);
            if (pr.v.name.isEmpty()) {
                if (pr.valuesWithoutName)
                    problem(r, m_nameColumn, Mapping::tr("this row has values but no name"));
                continue;
            }
            ++m_result.rowsRead;
            if (!pr.nameProblem.isEmpty())
                problem(r, m_nameColumn, pr.nameProblem);
            if (const int earlier = m_names.insert(pr.v.name, int(m_result.collection.variables.size()), pr.hash); earlier >= 0) {
                problem(r, m_nameColumn, Mapping::tr("duplicate name \"%1\" (first at %2)")
                                             .arg(pr.v.name, cellReference(m_sheet, m_rows.at(earlier).row, m_nameColumn)));
                continue;
            }
            m_result.problems.append(pr.problems);
            for (int m = 0; m < modeCount; ++m) {
                if (pr.v.values.at(m).isAlias())
                    m_aliases.append(Alias{int(m_result.collection.variables.size()), m, -1});
            }
            m_result.collection.variables.append(std::move(pr.v));
            m_rows.append(pr.info);
        }
    }

    // "color" and "color/bg" cannot both be variables: every target makes "color" the group that
    // holds "color/bg", and a group has no value. Reported at the name that needs the group, so
    // the sheet is fixed before a writer fails on it without a cell to point to.
    void checkGroups()
    {
        const QList<Variable> &vars = m_result.collection.variables;
        NameIndex groups; // group path → 1 + the variable of that name, or 0 when there is none
        for (int i = 0; i < int(vars.size()); ++i) {
            const QString &name = vars.at(i).name;
            for (qsizetype slash = name.indexOf(u'/'); slash > 0; slash = name.indexOf(u'/', slash + 1)) {
                const QStringView group = QStringView(name).left(slash);
                int known = groups.find(group);
                if (known < 0) {
                    known = 1 + m_names.find(group);
                    groups.insert(group, known);
                }
                if (known > 0) {
                    const int variable = known - 1;
                    problem(m_rows.at(i).row, m_nameColumn,
                            Mapping::tr("\"%1\" needs \"%2\" to be a group, but \"%2\" is a variable (%3)")
                                .arg(name, group, cellReference(m_sheet, m_rows.at(variable).row, m_nameColumn)));
                    break;
                }
            }
        }
    }

    // Whether the value shape() produced can be used as is for a variable of type.
    static bool matches(ValueParser::Shape shape, VariableType type, bool typed)
    {
        switch (shape) {
        case ValueParser::Shape::Alias: return true; // parsed holds the alias when its name was valid
        case ValueParser::Shape::Color: return typed && type == VariableType::Color;
        case ValueParser::Shape::Number: return typed && type == VariableType::Float;
        case ValueParser::Shape::Boolean: return typed && type == VariableType::Boolean;
        default: return false;
        }
    }

    void parseCell(int row, int mode, const QString &text, VariableType type, bool inferred, VariableValue *value, QString &error) const
    {
        const int column = m_modeColumns.at(mode);
        if (trimmedView(text).isEmpty()) {
            problem(row, column, Mapping::tr("empty value for mode %1").arg(m_result.collection.modes.at(mode)));
            return;
        }
        if (ValueParser::parse(text, type, value, &error))
            return;
        if (inferred && !ValueParser::looksLikeAlias(text))
            error += Mapping::tr(" (the row's other values make it %1; fill in its Type to say otherwise)").arg(variableTypeName(type));
        problem(row, column, error);
    }

    // Alias-only variables take the type of the variable they point to, following chains.
    void resolvePendingTypes()
    {
        QList<Variable> &vars = m_result.collection.variables;
        QList<int> walkOf(vars.size(), -1);
        QList<int> path;
        for (int start = 0; start < vars.size(); ++start) {
            if (m_rows.at(start).state != TypeState::Pending)
                continue;
            path.clear();
            int current = start;
            std::optional<VariableType> found;
            for (;;) {
                walkOf[current] = start;
                path.append(current);
                const int target = firstAliasTarget(current);
                if (target < 0 || walkOf.at(target) == start || m_rows.at(target).state == TypeState::Unknown)
                    break;
                if (m_rows.at(target).state == TypeState::Known) {
                    found = vars.at(target).type;
                    break;
                }
                current = target;
            }
            for (const int i : std::as_const(path)) {
                if (found) {
                    vars[i].type = *found;
                    m_rows[i].state = TypeState::Known;
                } else {
                    m_rows[i].state = TypeState::Unknown;
                }
            }
        }
    }

    int firstAliasTarget(int variable) const
    {
        for (const VariableValue &value : m_result.collection.variables.at(variable).values) {
            if (value.isAlias())
                return m_names.find(value.text);
        }
        return -1;
    }

    void checkAliases()
    {
        const QList<Variable> &vars = m_result.collection.variables;
        const int modeCount = int(m_modeColumns.size());
        const int n = int(vars.size());

        // readRows() listed the aliases (a few percent of the cells in real sheets), so the checks
        // touch only those instead of every value of every mode.
        QList<Alias> aliases;
        for (const Alias &alias : std::as_const(m_aliases)) {
            const int i = alias.variable;
            const VariableValue &value = vars.at(i).values.at(alias.mode);
            const int target = m_names.find(value.text);
            const int column = m_modeColumns.at(alias.mode);
            if (target < 0) {
                problem(m_rows.at(i).row, column, Mapping::tr("alias {%1} names no variable of this collection").arg(value.text));
                continue;
            }
            aliases.append(Alias{i, alias.mode, target});
            if (m_rows.at(i).state == TypeState::Known && m_rows.at(target).state == TypeState::Known
                && vars.at(i).type != vars.at(target).type)
                problem(m_rows.at(i).row, column, Mapping::tr("alias {%1} is %2, but %3 is %4")
                                                      .arg(value.text, variableTypeName(vars.at(target).type), vars.at(i).name,
                                                           variableTypeName(vars.at(i).type)));
        }
        if (aliases.isEmpty())
            return;

        QList<int> next(n, -1);
        QList<int> walkOf(n, -1);
        QList<int> position(n);
        QList<int> path;
        for (int m = 0; m < modeCount; ++m) {
            for (const Alias &a : std::as_const(aliases)) {
                if (a.mode == m)
                    next[a.variable] = a.target;
            }
            // Each variable has at most one alias per mode, so the aliases of a mode form a
            // functional graph: walking from every unvisited alias finds each cycle exactly once.
            // Walks are marked with the mode's own numbers, so no reset is needed between modes.
            for (const Alias &a : std::as_const(aliases)) {
                if (a.mode != m || walkOf.at(a.variable) >= m * n)
                    continue;
                const int walk = m * n + a.variable;
                path.clear();
                int current = a.variable;
                while (current >= 0 && walkOf.at(current) < m * n) {
                    walkOf[current] = walk;
                    position[current] = int(path.size());
                    path.append(current);
                    current = next.at(current);
                }
                if (current >= 0 && walkOf.at(current) == walk)
                    reportCycle(path.mid(position.at(current)), m);
            }
            for (const Alias &a : std::as_const(aliases)) {
                if (a.mode == m)
                    next[a.variable] = -1;
            }
        }
    }

    void reportCycle(QList<int> cycle, int mode)
    {
        const QList<Variable> &vars = m_result.collection.variables;
        // Start at the member highest in the sheet, so the message reads the same on every run.
        const auto first = std::min_element(cycle.begin(), cycle.end());
        std::rotate(cycle.begin(), first, cycle.end());
        const int column = m_modeColumns.at(mode);
        QStringList names;
        QStringList cells;
        for (const int i : std::as_const(cycle)) {
            names << vars.at(i).name;
            cells << cellReference(m_sheet, m_rows.at(i).row, column);
        }
        names << vars.at(cycle.first()).name;
        problem(m_rows.at(cycle.first()).row, column,
                Mapping::tr("alias cycle in mode %1: %2 (cells %3)")
                    .arg(m_result.collection.modes.at(mode), names.join(QStringLiteral(" → ")), cells.join(QStringLiteral(", "))));
    }

    const Table &m_table;
    const MappingSpec &m_spec;
    MappingResult &m_result;
    const QString m_sheet;

    QStringList m_header;
    int m_headerRow = 0;
    int m_nameColumn = -1;
    int m_typeColumn = -1;
    int m_descriptionColumn = -1;
    QList<int> m_modeColumns;

    QList<RowInfo> m_rows;       // parallel to collection.variables
    QList<Alias> m_aliases;      // every alias value, in sheet order
    VariableIndex m_names{m_result.collection.variables}; // name → variable index
};

QString requireString(const QJsonObject &o, const QString &key, const QString &where)
{
    const QJsonValue v = o.value(key);
    if (!v.isString())
        invalid(Mapping::tr("%1: \"%2\" must be a string").arg(where, key));
    return v.toString();
}

} // namespace

QString MappingProblem::text() const
{
    return cell.isEmpty() ? message : cell + QStringLiteral(": ") + message;
}

MappingSpec MappingSpec::fromJson(const QByteArray &json, const QString &where)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        invalid(Mapping::tr("%1: not valid JSON at byte %2: %3").arg(where).arg(error.offset).arg(error.errorString()));
    if (!doc.isObject())
        invalid(Mapping::tr("%1: a mapping must be a JSON object such as {\"nameColumn\":\"Name\",\"modeColumns\":[\"Light\",\"Dark\"]}").arg(where));
    const QJsonObject o = doc.object();
    static const QStringList known{QStringLiteral("collection"), QStringLiteral("headerRow"), QStringLiteral("nameColumn"),
                                   QStringLiteral("typeColumn"), QStringLiteral("descriptionColumn"), QStringLiteral("modeColumns")};
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!known.contains(it.key()))
            invalid(Mapping::tr("%1: unknown field \"%2\" (known: %3)").arg(where, it.key(), known.join(QStringLiteral(", "))));
    }
    MappingSpec spec;
    if (o.contains(QStringLiteral("collection")))
        spec.collection = requireString(o, QStringLiteral("collection"), where);
    if (o.contains(QStringLiteral("headerRow"))) {
        const QJsonValue v = o.value(QStringLiteral("headerRow"));
        const double d = v.toDouble(-1);
        if (!v.isDouble() || d < 1 || d > 1000000 || d != double(int(d)))
            invalid(Mapping::tr("%1: \"headerRow\" must be a whole number of 1 or more").arg(where));
        spec.headerRow = int(d);
    }
    if (o.contains(QStringLiteral("nameColumn"))) {
        spec.nameColumn = requireString(o, QStringLiteral("nameColumn"), where);
        if (spec.nameColumn.trimmed().isEmpty())
            invalid(Mapping::tr("%1: \"nameColumn\" must not be empty").arg(where));
    }
    if (o.contains(QStringLiteral("typeColumn")))
        spec.typeColumn = requireString(o, QStringLiteral("typeColumn"), where);
    if (o.contains(QStringLiteral("descriptionColumn")))
        spec.descriptionColumn = requireString(o, QStringLiteral("descriptionColumn"), where);
    if (o.contains(QStringLiteral("modeColumns"))) {
        const QJsonValue v = o.value(QStringLiteral("modeColumns"));
        if (!v.isArray())
            invalid(Mapping::tr("%1: \"modeColumns\" must be a list of column names").arg(where));
        const QJsonArray modes = v.toArray();
        for (qsizetype i = 0; i < modes.size(); ++i) {
            if (!modes.at(i).isString() || modes.at(i).toString().trimmed().isEmpty())
                invalid(Mapping::tr("%1: \"modeColumns\"[%2] must be a column name").arg(where).arg(i));
            spec.modeColumns << modes.at(i).toString();
        }
    }
    return spec;
}

MappingSpec MappingSpec::fromFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        fail(Mapping::tr("Cannot read mapping file %1: %2").arg(path, file.errorString()));
    return fromJson(file.readAll(), path);
}

QJsonObject MappingSpec::toJson() const
{
    QJsonObject o{{QStringLiteral("headerRow"), headerRow},
                  {QStringLiteral("nameColumn"), nameColumn},
                  {QStringLiteral("typeColumn"), typeColumn},
                  {QStringLiteral("descriptionColumn"), descriptionColumn},
                  {QStringLiteral("modeColumns"), QJsonArray::fromStringList(modeColumns)}};
    if (!collection.isEmpty())
        o.insert(QStringLiteral("collection"), collection);
    return o;
}

MappingResult Mapping::map(const Table &table, const MappingSpec &spec)
{
    MappingResult result;
    Mapper(table, spec, result).run();
    return result;
}

} // namespace sp
