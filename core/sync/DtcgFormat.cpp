#include "sync/DtcgFormat.h"

#include "common/Error.h"
#include "common/Json.h"
#include "sync/NameIndex.h"

#include <QFileInfo>
#include <QHash>
#include <QSet>

#include <algorithm>
#include <numeric>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstring>
#include <optional>
#include <vector>

namespace sp {

namespace {

const char kVendor[] = "io.syncpilot";

// ------------------------------------------------------------------------------------------------
// Writing. The bytes are built by hand: a QJsonDocument tree of 100 000 tokens costs several
// times the whole write, and sorts keys, which would lose the sheet's order.

// Output into a QByteArray through a raw pointer: the writer appends some 30 small pieces per
// token, and QByteArray::append's bookkeeping per call cost more than the copying.
class Out
{
public:
    explicit Out(qsizetype estimate)
    {
        m_buf.resize(std::max<qsizetype>(estimate, 4096));
        m_p = m_buf.data();
        m_end = m_p + m_buf.size();
    }

    void put(const char *s, qsizetype n)
    {
        reserve(n);
        std::memcpy(m_p, s, size_t(n));
        m_p += n;
    }
    // Literals: a copy of known length, which the compiler inlines.
    template<size_t N>
    void put(const char (&literal)[N])
    {
        reserve(qsizetype(N - 1));
        std::memcpy(m_p, literal, N - 1);
        m_p += N - 1;
    }
    void put(char c)
    {
        reserve(1);
        *m_p++ = c;
    }
    void put(const QByteArray &bytes) { put(bytes.constData(), bytes.size()); }

    void indent(int depth)
    {
        const qsizetype n = 2 * qsizetype(depth);
        reserve(n);
        std::memset(m_p, ' ', size_t(n));
        m_p += n;
    }

    // s escaped as inside a JSON string, without quotes. Names and values are nearly always
    // ASCII, which is copied here; anything else goes through appendJsonString, so both paths
    // escape identically. slashToDot turns a variable name into a DTCG reference path.
    void putStringBody(QStringView s, bool slashToDot = false)
    {
        reserve(s.size());
        char *p = m_p;
        for (const QChar c : s) {
            const char16_t u = c.unicode();
            if (u >= 0x80 || u < 0x20 || u == u'"' || u == u'\\') {
                QString copy = s.toString();
                if (slashToDot)
                    copy.replace(u'/', u'.');
                QByteArray quoted;
                appendJsonString(quoted, copy);
                put(quoted.constData() + 1, quoted.size() - 2);
                return;
            }
            *p++ = (slashToDot && u == u'/') ? '.' : char(u);
        }
        m_p = p;
    }

    void putString(QStringView s)
    {
        put('"');
        putStringBody(s);
        put('"');
    }

    // Integers without ".0"; everything else in the shortest form that reads back the same.
    void putNumber(double d)
    {
        reserve(40);
        std::to_chars_result r;
        if (d == std::trunc(d) && std::fabs(d) < 1e15)
            r = std::to_chars(m_p, m_p + 40, static_cast<long long>(d));
        else
            r = std::to_chars(m_p, m_p + 40, d);
        m_p = r.ptr;
    }

    void putHexColor(const Rgba &c)
    {
        static const char digits[] = "0123456789abcdef";
        const quint32 packed = c.packed();
        const int count = (packed & 0xff) == 0xff ? 3 : 4;
        reserve(11);
        *m_p++ = '"';
        *m_p++ = '#';
        for (int i = 0; i < count; ++i) {
            const quint32 byte = (packed >> (24 - 8 * i)) & 0xff;
            *m_p++ = digits[byte >> 4];
            *m_p++ = digits[byte & 0xf];
        }
        *m_p++ = '"';
    }

    QByteArray take()
    {
        m_buf.truncate(m_p - m_buf.data());
        return std::move(m_buf);
    }

private:
    void reserve(qsizetype n)
    {
        if (m_end - m_p >= n)
            return;
        const qsizetype used = m_p - m_buf.data();
        m_buf.resize(std::max(2 * m_buf.size(), used + n + 4096));
        m_p = m_buf.data() + used;
        m_end = m_buf.data() + m_buf.size();
    }

    QByteArray m_buf;
    char *m_p = nullptr;
    char *m_end = nullptr;
};

bool looksLikeAlias(QStringView s) { return s.size() >= 2 && s.front() == u'{' && s.back() == u'}'; }

class Writer
{
    Q_DECLARE_TR_FUNCTIONS(DtcgFormat)

public:
    explicit Writer(const VariableCollection &c)
        : m_c(c), m_out(256 + c.variables.size() * (160 + 48 * c.modes.size())), m_groups(64), m_leaves(c.variables.size())
    {
    }

    QByteArray run()
    {
        validateModes();
        buildTree();

        // Emitted leaf order equals the variable order unless a group's variables were not
        // contiguous; only then is the order written out, so read() can restore it.
        std::vector<int> leaves;
        leaves.reserve(size_t(m_c.variables.size()));
        collectLeaves(0, leaves);
        bool inOrder = true;
        for (size_t i = 0; i < leaves.size() && inOrder; ++i)
            inOrder = leaves[i] == int(i);

        m_out.put("{\n");
        m_out.indent(1);
        m_out.put("\"$extensions\": {\n");
        m_out.indent(2);
        m_out.put("\"io.syncpilot\": {\n");
        m_out.indent(3);
        m_out.put("\"collection\": ");
        m_out.putString(m_c.name);
        m_out.put(",\n");
        m_out.indent(3);
        m_out.put("\"modes\": [");
        for (qsizetype i = 0; i < m_c.modes.size(); ++i) {
            if (i)
                m_out.put(", ");
            m_out.putString(m_c.modes.at(i));
        }
        m_out.put(']');
        if (!inOrder) {
            m_out.put(",\n");
            m_out.indent(3);
            m_out.put("\"order\": [\n");
            for (qsizetype i = 0; i < m_c.variables.size(); ++i) {
                m_out.indent(4);
                m_out.putString(m_c.variables.at(i).name);
                m_out.put(i + 1 < m_c.variables.size() ? ",\n" : "\n", i + 1 < m_c.variables.size() ? 2 : 1);
            }
            m_out.indent(3);
            m_out.put(']');
        }
        m_out.put('\n');
        m_out.indent(2);
        m_out.put("}\n");
        m_out.indent(1);
        m_out.put('}');
        writeChildren(0, 1, false);
        m_out.put("\n}\n");
        return m_out.take();
    }

private:
    struct Node
    {
        QStringView segment;
        int variable = -1; // a token when >= 0, a group otherwise
        int firstChild = -1;
        int lastChild = -1;
        int next = -1;
    };

    void validateModes()
    {
        QSet<QString> seen;
        for (const QString &mode : m_c.modes) {
            if (seen.contains(mode))
                invalid(tr("Collection %1: the mode \"%2\" appears twice.").arg(m_c.name, mode));
            seen.insert(mode);
        }
        m_modeKeys.reserve(m_c.modes.size());
        for (const QString &mode : m_c.modes) {
            Out key(64);
            key.putString(mode);
            key.put(": ");
            m_modeKeys << key.take();
        }
        if (m_c.modes.isEmpty() && !m_c.variables.isEmpty())
            invalid(tr("Collection %1 has variables but no mode.").arg(m_c.name));
    }

    int addNode(int parent, QStringView segment, int variable)
    {
        const int index = int(m_nodes.size());
        m_nodes.push_back(Node{segment, variable, -1, -1, -1});
        Node &p = m_nodes[size_t(parent)];
        if (p.lastChild < 0)
            p.firstChild = index;
        else
            m_nodes[size_t(p.lastChild)].next = index;
        p.lastChild = index;
        return index;
    }

    [[noreturn]] void bothTokenAndGroup(QStringView path) const
    {
        invalid(tr("%1 is both a variable and a group of variables; DTCG cannot hold both.").arg(path.toString()));
    }

    void buildTree()
    {
        const qsizetype n = m_c.variables.size();
        m_nodes.reserve(size_t(n) * 2 + 1);
        m_nodes.push_back(Node{});
        m_groups.insert(QStringView(), 0);
        // Sheets list a group's rows together, so most names share their group path with the
        // name before them: then the group node is known without looking anything up.
        QStringView previousGroup;
        int previousParent = 0;
        for (int i = 0; i < int(n); ++i) {
            const Variable &v = m_c.variables.at(i);
            const QString &name = v.name;
            if (v.values.size() != m_c.modes.size())
                invalid(tr("Variable %1 has %n value(s), but the collection has %2 mode(s).", nullptr, int(v.values.size()))
                            .arg(name)
                            .arg(m_c.modes.size()));
            qsizetype lastSlash = -1;
            for (qsizetype k = 0; k < name.size(); ++k) {
                const QChar c = name.at(k);
                if (c == u'/') {
                    if (k == lastSlash + 1)
                        invalid(tr("Variable \"%1\": a name cannot have an empty group or end in \"/\".").arg(name));
                    lastSlash = k;
                } else if (c == u'.' || c == u'{' || c == u'}') {
                    invalid(tr("Variable %1: DTCG names cannot contain \".\", \"{\" or \"}\".").arg(name));
                } else if (c == u'$' && k == lastSlash + 1) {
                    invalid(tr("Variable %1: DTCG names cannot start with \"$\".").arg(name));
                }
            }
            if (name.isEmpty() || lastSlash == name.size() - 1)
                invalid(tr("Variable \"%1\": a name cannot have an empty group or end in \"/\".").arg(name));

            const QStringView group = QStringView(name).left(std::max<qsizetype>(lastSlash, 0));
            int parent = previousParent;
            if (group != previousGroup) {
                parent = 0;
                qsizetype start = 0;
                while (start < lastSlash) {
                    const qsizetype slash = name.indexOf(u'/', start);
                    const QStringView path = QStringView(name).left(slash);
                    const int known = m_groups.find(path);
                    if (known >= 0) {
                        parent = known;
                    } else {
                        if (m_leaves.find(path) >= 0)
                            bothTokenAndGroup(path);
                        parent = addNode(parent, QStringView(name).mid(start, slash - start), -1);
                        m_groups.insert(path, parent);
                    }
                    start = slash + 1;
                }
                previousGroup = group;
                previousParent = parent;
            }
            const QStringView full(name);
            if (m_groups.find(full) >= 0)
                bothTokenAndGroup(full);
            if (!m_leaves.insert(full, int(m_nodes.size())))
                invalid(tr("Variable %1 appears twice.").arg(name));
            addNode(parent, full.mid(lastSlash + 1), i);
        }
    }

    void collectLeaves(int node, std::vector<int> &leaves) const
    {
        for (int child = m_nodes[size_t(node)].firstChild; child >= 0; child = m_nodes[size_t(child)].next) {
            if (m_nodes[size_t(child)].variable >= 0)
                leaves.push_back(m_nodes[size_t(child)].variable);
            else
                collectLeaves(child, leaves);
        }
    }

    // Writes the members of a group, each on a new line; first says whether the group has no
    // member before them (the root has its "$extensions").
    void writeChildren(int node, int depth, bool first)
    {
        for (int child = m_nodes[size_t(node)].firstChild; child >= 0; child = m_nodes[size_t(child)].next) {
            const Node &n = m_nodes[size_t(child)];
            m_out.put(first ? "\n" : ",\n", first ? 1 : 2);
            first = false;
            m_out.indent(depth);
            m_out.putString(n.segment);
            if (n.variable >= 0) {
                m_out.put(": {\n");
                writeToken(m_c.variables.at(n.variable), depth + 1);
            } else {
                m_out.put(": {");
                writeChildren(child, depth + 1, true);
            }
            m_out.put('\n');
            m_out.indent(depth);
            m_out.put('}');
        }
    }

    // The DTCG type of a variable: an alias takes the type of what it finally points to (in the
    // first mode, the one $value shows); FLOAT is "dimension" when that value has a unit.
    const char *tokenType(const Variable &v) const
    {
        VariableType type = v.type;
        const VariableValue *value = v.values.isEmpty() ? nullptr : &v.values.first();
        for (qsizetype hops = 0; value && value->isAlias() && hops < m_c.variables.size(); ++hops) {
            const int node = m_leaves.find(value->text);
            if (node < 0)
                break;
            const Variable &target = m_c.variables.at(m_nodes[size_t(node)].variable);
            type = target.type;
            value = target.values.isEmpty() ? nullptr : &target.values.first();
        }
        switch (type) {
        case VariableType::Color: return "color";
        case VariableType::Float:
            return value && value->kind == VariableValue::Kind::Number && !value->unit.isEmpty() ? "dimension" : "number";
        case VariableType::Boolean: return "boolean";
        case VariableType::String: return "string";
        }
        return "string";
    }

    void writeValue(const Variable &v, qsizetype mode)
    {
        const VariableValue &value = v.values.at(mode);
        switch (value.kind) {
        case VariableValue::Kind::Color:
            m_out.putHexColor(value.color);
            return;
        case VariableValue::Kind::Number:
            if (!std::isfinite(value.number))
                invalid(tr("Variable %1, mode %2: %3 is not a finite number.").arg(v.name, m_c.modes.at(mode), value.display()));
            if (value.unit.isEmpty()) {
                m_out.putNumber(value.number);
            } else {
                m_out.put('"');
                m_out.putNumber(value.number);
                m_out.putStringBody(value.unit);
                m_out.put('"');
            }
            return;
        case VariableValue::Kind::Boolean:
            if (value.boolean)
                m_out.put("true");
            else
                m_out.put("false");
            return;
        case VariableValue::Kind::String:
            if (looksLikeAlias(value.text))
                invalid(tr("Variable %1, mode %2: the text %3 would read as a reference in DTCG.")
                            .arg(v.name, m_c.modes.at(mode), value.text));
            m_out.putString(value.text);
            return;
        case VariableValue::Kind::Alias:
            m_out.put("\"{");
            m_out.putStringBody(value.text, true);
            m_out.put("}\"");
            return;
        }
    }

    void writeToken(const Variable &v, int depth)
    {
        m_out.indent(depth);
        m_out.put("\"$type\": \"");
        const char *type = tokenType(v);
        m_out.put(type, qsizetype(std::strlen(type)));
        m_out.put("\",\n");
        m_out.indent(depth);
        m_out.put("\"$value\": ");
        writeValue(v, 0);
        if (!v.description.isEmpty()) {
            m_out.put(",\n");
            m_out.indent(depth);
            m_out.put("\"$description\": ");
            m_out.putString(v.description);
        }
        if (m_c.modes.size() > 1) {
            m_out.put(",\n");
            m_out.indent(depth);
            m_out.put("\"$extensions\": {\n");
            m_out.indent(depth + 1);
            m_out.put("\"io.syncpilot\": {\n");
            m_out.indent(depth + 2);
            m_out.put("\"modes\": {\n");
            for (qsizetype m = 0; m < m_c.modes.size(); ++m) {
                m_out.indent(depth + 3);
                m_out.put(m_modeKeys.at(m));
                writeValue(v, m);
                if (m + 1 < m_c.modes.size())
                    m_out.put(",\n");
                else
                    m_out.put('\n');
            }
            m_out.indent(depth + 2);
            m_out.put("}\n");
            m_out.indent(depth + 1);
            m_out.put("}\n");
            m_out.indent(depth);
            m_out.put('}');
        }
    }

    const VariableCollection &m_c;
    Out m_out;
    QList<QByteArray> m_modeKeys;
    std::vector<Node> m_nodes;
    NameIndex m_groups; // group path -> node
    NameIndex m_leaves; // variable name -> node
};

// ------------------------------------------------------------------------------------------------
// Reading. A small JSON parser of our own, because QJsonObject sorts keys and the order of
// tokens in the file is the order of the variables.

struct JMember;

struct JValue
{
    enum class Type { Null, Bool, Number, String, Array, Object };
    Type type = Type::Null;
    bool boolean = false;
    double number = 0;
    QString string;
    std::vector<JValue> items;
    std::vector<JMember> members;

    bool isObject() const { return type == Type::Object; }
    bool isString() const { return type == Type::String; }
    bool isNumber() const { return type == Type::Number; }
    const JValue *member(QLatin1StringView key) const;
    const JValue *member(QStringView key) const;
    bool hasChildMembers() const; // any member not starting with "$"
};

struct JMember
{
    QString key;
    JValue value;
};

const JValue *JValue::member(QLatin1StringView key) const
{
    for (const JMember &m : members) {
        if (m.key == key)
            return &m.value;
    }
    return nullptr;
}

const JValue *JValue::member(QStringView key) const
{
    for (const JMember &m : members) {
        if (m.key == key)
            return &m.value;
    }
    return nullptr;
}

bool JValue::hasChildMembers() const
{
    for (const JMember &m : members) {
        if (!m.key.startsWith(u'$'))
            return true;
    }
    return false;
}

class JsonParser
{
    Q_DECLARE_TR_FUNCTIONS(DtcgFormat)

public:
    JsonParser(const QByteArray &data, const QString &where)
        : m_begin(data.constData()), m_p(data.constData()), m_end(data.constData() + data.size()), m_where(where) {}

    JValue parse()
    {
        if (m_end - m_p >= 3 && std::memcmp(m_p, "\xEF\xBB\xBF", 3) == 0)
            m_p += 3; // a UTF-8 byte order mark, as some editors save
        JValue root;
        skipSpace();
        parseValue(root, 0);
        skipSpace();
        if (m_p != m_end)
            error(tr("unexpected text after the end of the JSON document"));
        return root;
    }

private:
    [[noreturn]] void error(const QString &reason) const
    {
        int line = 1;
        const char *lineStart = m_begin;
        for (const char *q = m_begin; q < m_p && q < m_end; ++q) {
            if (*q == '\n') {
                ++line;
                lineStart = q + 1;
            }
        }
        const int column = int(QString::fromUtf8(lineStart, qMin(m_p, m_end) - lineStart).size()) + 1;
        invalid(tr("%1: line %2, column %3: %4").arg(m_where).arg(line).arg(column).arg(reason));
    }

    void skipSpace()
    {
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t'))
            ++m_p;
    }

    bool literal(const char *word)
    {
        const size_t n = std::strlen(word);
        if (size_t(m_end - m_p) >= n && std::memcmp(m_p, word, n) == 0) {
            m_p += n;
            return true;
        }
        return false;
    }

    void parseValue(JValue &out, int depth)
    {
        if (depth > 256)
            error(tr("the JSON is nested too deeply"));
        if (m_p >= m_end)
            error(tr("unexpected end of the JSON document"));
        switch (*m_p) {
        case '{': parseObject(out, depth); return;
        case '[': parseArray(out, depth); return;
        case '"':
            out.type = JValue::Type::String;
            out.string = parseString();
            return;
        case 't':
        case 'f':
        case 'n':
            if (literal("true")) {
                out.type = JValue::Type::Bool;
                out.boolean = true;
            } else if (literal("false")) {
                out.type = JValue::Type::Bool;
            } else if (literal("null")) {
                out.type = JValue::Type::Null;
            } else {
                error(tr("invalid value"));
            }
            return;
        default:
            parseNumber(out);
        }
    }

    void parseObject(JValue &out, int depth)
    {
        out.type = JValue::Type::Object;
        ++m_p;
        skipSpace();
        if (m_p < m_end && *m_p == '}') {
            ++m_p;
            return;
        }
        // Duplicate names: a scan for the few members of a token, an index for big groups.
        constexpr size_t kScanLimit = 16;
        std::optional<NameIndex> keys;
        for (;;) {
            skipSpace();
            if (m_p >= m_end || *m_p != '"')
                error(tr("expected a member name in quotes"));
            const char *keyStart = m_p;
            QString key = parseString();
            bool duplicate = false;
            if (out.members.size() < kScanLimit) {
                for (const JMember &m : out.members)
                    duplicate = duplicate || m.key == key;
            } else {
                if (!keys) {
                    keys.emplace(qsizetype(4 * kScanLimit));
                    for (const JMember &m : out.members)
                        keys->insert(m.key, 0);
                }
                duplicate = !keys->insert(key, 0);
            }
            if (duplicate) {
                m_p = keyStart;
                error(tr("the member \"%1\" appears twice").arg(key));
            }
            skipSpace();
            if (m_p >= m_end || *m_p != ':')
                error(tr("expected \":\""));
            ++m_p;
            skipSpace();
            out.members.push_back(JMember{std::move(key), JValue{}});
            parseValue(out.members.back().value, depth + 1);
            skipSpace();
            if (m_p < m_end && *m_p == ',') {
                ++m_p;
                continue;
            }
            if (m_p < m_end && *m_p == '}') {
                ++m_p;
                return;
            }
            error(tr("expected \",\" or \"}\""));
        }
    }

    void parseArray(JValue &out, int depth)
    {
        out.type = JValue::Type::Array;
        ++m_p;
        skipSpace();
        if (m_p < m_end && *m_p == ']') {
            ++m_p;
            return;
        }
        for (;;) {
            skipSpace();
            out.items.emplace_back();
            parseValue(out.items.back(), depth + 1);
            skipSpace();
            if (m_p < m_end && *m_p == ',') {
                ++m_p;
                continue;
            }
            if (m_p < m_end && *m_p == ']') {
                ++m_p;
                return;
            }
            error(tr("expected \",\" or \"]\""));
        }
    }

    int hexDigit(char c) const
    {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    }

    char16_t parseHex4()
    {
        if (m_end - m_p < 4)
            error(tr("incomplete \\u escape"));
        int v = 0;
        for (int i = 0; i < 4; ++i) {
            const int d = hexDigit(m_p[i]);
            if (d < 0)
                error(tr("invalid \\u escape"));
            v = v * 16 + d;
        }
        m_p += 4;
        return char16_t(v);
    }

    // Member names and type names repeat in every token ("$type", "$value", "color", the mode
    // names …): short strings without escapes are shared from a small cache instead of being
    // decoded and allocated again.
    QString parseString()
    {
        ++m_p; // the opening quote
        {
            const char *q = m_p;
            const char *limit = std::min(m_end, m_p + kInternMax);
            while (q < limit && *q != '"' && *q != '\\' && static_cast<unsigned char>(*q) >= 0x20)
                ++q;
            if (q < m_end && *q == '"') {
                const qsizetype n = q - m_p;
                quint32 h = 2166136261u;
                for (const char *c = m_p; c < q; ++c)
                    h = (h ^ static_cast<unsigned char>(*c)) * 16777619u;
                Interned &slot = m_interned[h % kInternSlots];
                if (slot.bytes.size() != n || std::memcmp(slot.bytes.constData(), m_p, size_t(n)) != 0) {
                    slot.bytes = QByteArray(m_p, n);
                    slot.text = QString::fromUtf8(slot.bytes);
                }
                m_p = q + 1;
                return slot.text;
            }
        }
        QString out;
        const char *run = m_p;
        auto flush = [&] {
            if (m_p > run)
                out += QString::fromUtf8(run, m_p - run);
        };
        while (m_p < m_end) {
            const unsigned char c = static_cast<unsigned char>(*m_p);
            if (c == '"') {
                flush();
                ++m_p;
                return out;
            }
            if (c < 0x20)
                error(tr("a control character inside a string must be escaped"));
            if (c != '\\') {
                ++m_p;
                continue;
            }
            flush();
            ++m_p;
            if (m_p >= m_end)
                break;
            const char e = *m_p++;
            switch (e) {
            case '"': out += u'"'; break;
            case '\\': out += u'\\'; break;
            case '/': out += u'/'; break;
            case 'b': out += u'\b'; break;
            case 'f': out += u'\f'; break;
            case 'n': out += u'\n'; break;
            case 'r': out += u'\r'; break;
            case 't': out += u'\t'; break;
            case 'u': out += QChar(parseHex4()); break;
            default: --m_p; error(tr("invalid escape \"\\%1\"").arg(QLatin1Char(e)));
            }
            run = m_p;
        }
        error(tr("unterminated string"));
    }

    void parseNumber(JValue &out)
    {
        // JSON's grammar, checked here: std::from_chars alone would also take "1." or "inf".
        const char *start = m_p;
        const char *q = m_p;
        if (q < m_end && *q == '-')
            ++q;
        auto digits = [&] {
            const char *s = q;
            while (q < m_end && *q >= '0' && *q <= '9')
                ++q;
            return q > s;
        };
        bool ok = q < m_end && *q == '0' ? (++q, true) : digits();
        if (ok && q < m_end && *q == '.') {
            ++q;
            ok = digits();
        }
        if (ok && q < m_end && (*q == 'e' || *q == 'E')) {
            ++q;
            if (q < m_end && (*q == '+' || *q == '-'))
                ++q;
            ok = digits();
        }
        if (!ok)
            error(tr("invalid value"));
        const auto r = std::from_chars(start, q, out.number);
        if (r.ec == std::errc::result_out_of_range)
            error(tr("the number %1 is out of range").arg(QString::fromLatin1(start, q - start)));
        out.type = JValue::Type::Number;
        m_p = q;
    }

    struct Interned
    {
        QByteArray bytes;
        QString text;
    };
    static constexpr qsizetype kInternMax = 24;
    static constexpr quint32 kInternSlots = 509;

    const char *m_begin;
    const char *m_p;
    const char *m_end;
    QString m_where;
    std::vector<Interned> m_interned = std::vector<Interned>(kInternSlots);
};

// JSON Pointer (RFC 6901) of a member, for messages.
QString pointerChild(const QString &pointer, const QString &key)
{
    QString escaped = key;
    escaped.replace(u'~', QLatin1String("~0")).replace(u'/', QLatin1String("~1"));
    return pointer + u'/' + escaped;
}

// The JSON Pointer of the token a variable name came from: its segments are the member names
// (which cannot contain "/"). Built only for messages.
QString pointerOf(const QString &name)
{
    QString escaped = name;
    escaped.replace(u'~', QLatin1String("~0"));
    return u'/' + escaped;
}

struct TokenRecord
{
    QString name;
    QString type;     // the declared or inherited DTCG $type; empty when none
    const JValue *token = nullptr;
    const JValue *modes = nullptr; // $extensions → io.syncpilot → modes, when present
};

class Reader
{
    Q_DECLARE_TR_FUNCTIONS(DtcgFormat)

public:
    Reader(const QByteArray &data, const QString &where) : m_data(data), m_where(where) {}

    VariableCollection run()
    {
        m_root = JsonParser(m_data, m_where).parse();
        if (!m_root.isObject())
            fault(QString(), tr("expected a JSON object of tokens and groups"));

        VariableCollection c;
        bool declaredModes = false;
        std::optional<QStringList> order;
        if (const JValue *vendor = vendorObject(m_root, [] { return QString(); })) {
            const QString at = QStringLiteral("/$extensions/io.syncpilot");
            if (const JValue *name = vendor->member(QLatin1StringView("collection"))) {
                if (!name->isString())
                    fault(at + QStringLiteral("/collection"), tr("expected a string"));
                c.name = name->string;
            } else {
                c.name = nameFromWhere();
            }
            if (const JValue *modes = vendor->member(QLatin1StringView("modes"))) {
                c.modes = stringList(*modes, at + QStringLiteral("/modes"));
                declaredModes = true;
            }
            if (const JValue *list = vendor->member(QLatin1StringView("order")))
                order = stringList(*list, at + QStringLiteral("/order"));
        } else {
            c.name = nameFromWhere();
        }

        walkGroup(m_root, QString(), QString(), inheritedType(m_root, QString(), QString()));

        if (!declaredModes) {
            // Not written by SyncPilot: modes as the tokens name them, else the single "Value".
            for (const TokenRecord &t : m_tokens) {
                if (!t.modes)
                    continue;
                for (const JMember &m : t.modes->members) {
                    if (!c.modes.contains(m.key))
                        c.modes << m.key;
                }
            }
            if (c.modes.isEmpty())
                c.modes << QStringLiteral("Value");
        } else if (c.modes.isEmpty() && !m_tokens.empty()) {
            fault(QStringLiteral("/$extensions/io.syncpilot/modes"), tr("no mode is declared, but the file has tokens"));
        }
        QSet<QString> modeSet(c.modes.cbegin(), c.modes.cend());
        if (modeSet.size() != c.modes.size())
            fault(QStringLiteral("/$extensions/io.syncpilot/modes"), tr("a mode appears twice"));

        c.variables.reserve(qsizetype(m_tokens.size()));
        NameIndex index(qsizetype(m_tokens.size()));
        for (const TokenRecord &t : m_tokens) {
            index.insert(t.name, int(c.variables.size()));
            c.variables << readToken(t, c.modes, declaredModes, modeSet);
        }
        resolveAliases(c, index);
        if (order)
            applyOrder(c, *order);
        return c;
    }

private:
    [[noreturn]] void fault(const QString &pointer, const QString &reason) const
    {
        invalid(tr("%1: %2: %3").arg(m_where, pointer.isEmpty() ? QStringLiteral("/") : pointer, reason));
    }

    QString nameFromWhere() const
    {
        const QString file = QFileInfo(m_where).fileName();
        const qsizetype dot = file.indexOf(u'.');
        return dot < 0 ? file : file.left(dot);
    }

    // object["$extensions"]["io.syncpilot"], checked to be objects when present; pointer()
    // gives object's JSON Pointer for messages.
    template<typename Pointer>
    const JValue *vendorObject(const JValue &object, const Pointer &pointer) const
    {
        const JValue *ext = object.member(QLatin1StringView("$extensions"));
        if (!ext)
            return nullptr;
        if (!ext->isObject())
            fault(pointer() + QStringLiteral("/$extensions"), tr("expected an object"));
        const JValue *vendor = ext->member(QLatin1StringView(kVendor));
        if (vendor && !vendor->isObject())
            fault(pointer() + QStringLiteral("/$extensions/io.syncpilot"), tr("expected an object"));
        return vendor;
    }

    QStringList stringList(const JValue &value, const QString &pointer) const
    {
        if (value.type != JValue::Type::Array)
            fault(pointer, tr("expected an array of strings"));
        QStringList out;
        out.reserve(qsizetype(value.items.size()));
        for (const JValue &item : value.items) {
            if (!item.isString())
                fault(pointer, tr("expected an array of strings"));
            out << item.string;
        }
        return out;
    }

    QString inheritedType(const JValue &object, const QString &pointer, const QString &outer) const
    {
        const JValue *type = object.member(QLatin1StringView("$type"));
        if (!type)
            return outer;
        if (!type->isString())
            fault(pointer + QStringLiteral("/$type"), tr("expected a string"));
        return type->string;
    }

    void walkGroup(const JValue &group, const QString &namePrefix, const QString &pointer, const QString &type)
    {
        for (const JMember &m : group.members) {
            if (m.key.startsWith(u'$'))
                continue; // $type, $description, $extensions, $deprecated … of the group
            // Pointers are built only for messages and for groups: 100 000 tokens would pay for
            // 100 000 strings nobody reads.
            const auto at = [&] { return pointerChild(pointer, m.key); };
            if (m.key.isEmpty())
                fault(at(), tr("a token or group needs a name"));
            for (const QChar c : m.key) {
                if (c == u'/' || c == u'.' || c == u'{' || c == u'}')
                    fault(at(), tr("names cannot contain \"/\", \".\", \"{\" or \"}\""));
            }
            if (!m.value.isObject())
                fault(at(), tr("expected a token or a group (a JSON object)"));
            const QString name = namePrefix.isEmpty() ? m.key : namePrefix + u'/' + m.key;
            QString ownType = type;
            if (const JValue *declared = m.value.member(QLatin1StringView("$type"))) {
                if (!declared->isString())
                    fault(at() + QStringLiteral("/$type"), tr("expected a string"));
                ownType = declared->string;
            }
            if (m.value.member(QLatin1StringView("$value"))) {
                for (const JMember &inner : m.value.members) {
                    if (!inner.key.startsWith(u'$'))
                        fault(pointerChild(at(), inner.key), tr("a token cannot contain tokens or groups"));
                }
                const JValue *vendor = vendorObject(m.value, at);
                const JValue *modes = vendor ? vendor->member(QLatin1StringView("modes")) : nullptr;
                if (modes && !modes->isObject())
                    fault(at() + QStringLiteral("/$extensions/io.syncpilot/modes"), tr("expected an object of values by mode"));
                m_tokens.push_back(TokenRecord{name, ownType, &m.value, modes});
            } else if (m.value.hasChildMembers()) {
                walkGroup(m.value, name, at(), ownType);
            } else {
                fault(at(), tr("\"$value\" missing"));
            }
        }
    }

    Variable readToken(const TokenRecord &t, const QStringList &modes, bool declaredModes, const QSet<QString> &modeSet)
    {
        Variable v;
        v.name = t.name;
        if (const JValue *description = t.token->member(QLatin1StringView("$description"))) {
            if (!description->isString())
                fault(pointerOf(t.name) + QStringLiteral("/$description"), tr("expected a string"));
            v.description = description->string;
        }
        if (t.modes && declaredModes) {
            for (const JMember &m : t.modes->members) {
                if (!modeSet.contains(m.key))
                    fault(pointerChild(pointerOf(t.name) + QStringLiteral("/$extensions/io.syncpilot/modes"), m.key),
                          tr("unknown mode \"%1\" (the file declares %2)").arg(m.key, modes.join(QStringLiteral(", "))));
            }
        }
        if (t.type.isEmpty()) {
            m_untyped.insert(t.name, pointerOf(t.name));
        } else if (!typeFromDtcg(t.type, &v.type)) {
            fault(pointerOf(t.name) + QStringLiteral("/$type"),
                  tr("the type \"%1\" is not supported (variables are colours, numbers, dimensions, booleans and strings)")
                      .arg(t.type));
        }
        const JValue *value = t.token->member(QLatin1StringView("$value"));
        v.values.reserve(modes.size());
        for (qsizetype i = 0; i < modes.size(); ++i) {
            // $value is the first mode's value: it is the field every DTCG tool shows and edits.
            const JValue *source = value;
            const QString *fromMode = nullptr; // the mode whose extension value is read, if any
            if (i > 0 && t.modes) {
                if (const JValue *perMode = t.modes->member(QStringView(modes.at(i)))) {
                    source = perMode;
                    fromMode = &modes.at(i);
                }
            }
            const auto at = [&] { return valuePointer(t.name, fromMode ? *fromMode : QString()); };
            v.values << readValue(*source, t.type, at);
            if (v.values.last().isAlias())
                m_aliases.push_back(AliasRecord{v.values.last().text, t.name, fromMode ? *fromMode : QString()});
        }
        return v;
    }

    static QString valuePointer(const QString &name, const QString &mode)
    {
        return mode.isEmpty() ? pointerOf(name) + QStringLiteral("/$value")
                              : pointerChild(pointerOf(name) + QStringLiteral("/$extensions/io.syncpilot/modes"), mode);
    }

    static bool typeFromDtcg(const QString &type, VariableType *out)
    {
        if (type == QLatin1String("color"))
            *out = VariableType::Color;
        else if (type == QLatin1String("dimension") || type == QLatin1String("number") || type == QLatin1String("fontWeight")
                 || type == QLatin1String("duration"))
            *out = VariableType::Float;
        else if (type == QLatin1String("boolean"))
            *out = VariableType::Boolean;
        else if (type == QLatin1String("string") || type == QLatin1String("fontFamily"))
            *out = VariableType::String;
        else
            return false;
        return true;
    }

    // at() gives the value's JSON Pointer, for messages.
    template<typename Pointer>
    VariableValue readValue(const JValue &value, const QString &type, const Pointer &at)
    {
        if (value.isString() && looksLikeAlias(value.string)) {
            const QStringView path = QStringView(value.string).mid(1, value.string.size() - 2);
            const QList<QStringView> parts = path.split(u'.');
            for (const QStringView part : parts) {
                if (part.isEmpty() || part.contains(u'/'))
                    fault(at(), tr("\"%1\" is not a valid reference (\"{group.token}\")").arg(value.string));
            }
            QString name = path.toString();
            name.replace(u'.', u'/');
            return VariableValue::ofAlias(name);
        }
        if (type.isEmpty())
            fault(at(), tr("\"$type\" missing (neither the token nor a group around it declares one)"));
        if (type == QLatin1String("color"))
            return VariableValue::ofColor(readColor(value, at));
        if (type == QLatin1String("dimension") || type == QLatin1String("duration") || type == QLatin1String("number")
            || type == QLatin1String("fontWeight")) {
            if (value.isNumber())
                return VariableValue::ofNumber(value.number);
            if (value.isObject()) { // DTCG 2025.10: {"value": 8, "unit": "px"}
                const JValue *number = value.member(QLatin1StringView("value"));
                const JValue *unit = value.member(QLatin1StringView("unit"));
                if (number && number->isNumber() && unit && unit->isString())
                    return VariableValue::ofNumber(number->number, unit->string);
                fault(at(), tr("expected {\"value\": number, \"unit\": string}"));
            }
            if (value.isString()) {
                VariableValue v;
                if (parseDimension(value.string, &v))
                    return v;
                fault(at(), tr("\"%1\" is not a number or a dimension such as \"12px\"").arg(value.string));
            }
            fault(at(), tr("expected a number or a dimension such as \"12px\""));
        }
        if (type == QLatin1String("boolean")) {
            if (value.type != JValue::Type::Bool)
                fault(at(), tr("expected true or false"));
            return VariableValue::ofBoolean(value.boolean);
        }
        if (type == QLatin1String("string") || type == QLatin1String("fontFamily")) {
            if (value.isString())
                return VariableValue::ofString(value.string);
            if (type == QLatin1String("fontFamily") && value.type == JValue::Type::Array) {
                QStringList names;
                for (const JValue &item : value.items) {
                    if (!item.isString())
                        fault(at(), tr("expected a string or an array of strings"));
                    names << item.string;
                }
                return VariableValue::ofString(names.join(QStringLiteral(", ")));
            }
            fault(at(), tr("expected a string"));
        }
        fault(at(), tr("the type \"%1\" is not supported (variables are colours, numbers, dimensions, booleans and strings)")
                      .arg(type));
    }

    static bool parseDimension(const QString &text, VariableValue *out)
    {
        const QByteArray bytes = text.toUtf8();
        const char *begin = bytes.constData();
        const char *end = begin + bytes.size();
        double number = 0;
        const auto r = std::from_chars(begin, end, number);
        if (r.ec != std::errc() || !std::isfinite(number))
            return false;
        // The unit is whatever follows the number ("px", "rem", "%", "ms"); no spaces.
        const QString unit = QString::fromUtf8(r.ptr, end - r.ptr);
        if (!unit.isEmpty() && (unit.front().isDigit() || unit.front() == u'.' || unit.front() == u'+' || unit.front() == u'-'))
            return false;
        for (const QChar c : unit) {
            if (c.isSpace())
                return false;
        }
        *out = VariableValue::ofNumber(number, unit);
        return true;
    }

    template<typename Pointer>
    Rgba readColor(const JValue &value, const Pointer &at) const
    {
        if (value.isString()) {
            Rgba c;
            if (parseHex(value.string, &c))
                return c;
            fault(at(), tr("\"%1\" is not a colour (\"#rrggbb\" or \"#rrggbbaa\")").arg(value.string));
        }
        if (value.isObject()) { // DTCG 2025.10: {"colorSpace": "srgb", "components": [r, g, b], "alpha": a}
            const JValue *space = value.member(QLatin1StringView("colorSpace"));
            const JValue *components = value.member(QLatin1StringView("components"));
            const JValue *alpha = value.member(QLatin1StringView("alpha"));
            if (space && space->isString() && space->string == QLatin1String("srgb") && components
                && components->type == JValue::Type::Array && components->items.size() == 3
                && (!alpha || alpha->isNumber())) {
                double rgb[3] = {0, 0, 0};
                for (int i = 0; i < 3; ++i) {
                    const JValue &item = components->items[size_t(i)];
                    if (item.isNumber())
                        rgb[i] = item.number;
                    else if (!(item.isString() && item.string == QLatin1String("none")))
                        fault(at(), tr("colour components must be numbers"));
                }
                return Rgba{rgb[0], rgb[1], rgb[2], alpha ? alpha->number : 1.0};
            }
            // Other colour spaces carry an sRGB hex fallback.
            if (const JValue *hex = value.member(QLatin1StringView("hex")); hex && hex->isString()) {
                Rgba c;
                if (parseHex(hex->string, &c)) {
                    if (alpha && alpha->isNumber())
                        c.a = alpha->number;
                    return c;
                }
            }
            fault(at(), tr("only sRGB colours or colours with a \"hex\" fallback are supported"));
        }
        fault(at(), tr("expected a colour such as \"#1e66f5\""));
    }

    static bool parseHex(const QString &text, Rgba *out)
    {
        if (!text.startsWith(u'#'))
            return false;
        const qsizetype n = text.size() - 1;
        if (n != 3 && n != 4 && n != 6 && n != 8)
            return false;
        const int width = n <= 4 ? 1 : 2;
        double channels[4] = {0, 0, 0, 1};
        for (qsizetype i = 0; i < n / width; ++i) {
            bool ok = false;
            const uint v = QStringView(text).mid(1 + i * width, width).toUInt(&ok, 16);
            if (!ok)
                return false;
            channels[i] = width == 1 ? (v * 17) / 255.0 : v / 255.0;
        }
        *out = Rgba{channels[0], channels[1], channels[2], channels[3]};
        return true;
    }

    // Every reference must name a token of this file; a token without a type anywhere takes the
    // type of what its first mode finally refers to (DTCG's rule for alias tokens).
    void resolveAliases(VariableCollection &c, const NameIndex &index) const
    {
        for (const AliasRecord &alias : m_aliases) {
            if (index.find(alias.target) < 0)
                fault(valuePointer(alias.token, alias.mode),
                      tr("refers to %1, which is not defined in this file").arg(DtcgFormat::reference(alias.target)));
        }
        for (auto it = m_untyped.cbegin(); it != m_untyped.cend(); ++it) {
            const int self = index.find(it.key());
            int current = self;
            bool resolved = false;
            for (qsizetype hops = 0; hops <= c.variables.size(); ++hops) {
                const VariableValue &first = c.variables.at(current).values.first();
                if (!first.isAlias())
                    break;
                current = index.find(first.text);
                if (!m_untyped.contains(c.variables.at(current).name)) {
                    resolved = true;
                    break;
                }
            }
            if (!resolved)
                fault(it.value(), tr("\"$type\" missing (neither the token nor a group around it declares one)"));
            c.variables[self].type = c.variables.at(current).type;
        }
    }

    // The order SyncPilot recorded when the groups did not keep it; names it does not know (a
    // token added by hand) keep their place after the known ones.
    static void applyOrder(VariableCollection &c, const QStringList &order)
    {
        QHash<QString, int> position;
        position.reserve(order.size());
        for (const QString &name : order) {
            if (!position.contains(name))
                position.insert(name, int(position.size()));
        }
        // Each variable's place is looked up once; most files are in order already.
        const qsizetype n = c.variables.size();
        std::vector<int> rank(static_cast<size_t>(n));
        bool sorted = true;
        for (qsizetype i = 0; i < n; ++i) {
            rank[size_t(i)] = position.value(c.variables.at(i).name, INT_MAX);
            sorted = sorted && (i == 0 || rank[size_t(i - 1)] <= rank[size_t(i)]);
        }
        if (sorted)
            return;
        std::vector<qsizetype> permutation(static_cast<size_t>(n));
        std::iota(permutation.begin(), permutation.end(), 0);
        std::stable_sort(permutation.begin(), permutation.end(), [&rank](qsizetype a, qsizetype b) { return rank[size_t(a)] < rank[size_t(b)]; });
        QList<Variable> ordered;
        ordered.reserve(n);
        for (const qsizetype i : permutation)
            ordered.append(std::move(c.variables[i]));
        c.variables = std::move(ordered);
    }

    const QByteArray &m_data;
    QString m_where;
    JValue m_root;
    std::vector<TokenRecord> m_tokens;
    QHash<QString, QString> m_untyped; // name -> pointer
    struct AliasRecord
    {
        QString target;
        QString token;
        QString mode; // empty: the reference is the token's $value
    };
    std::vector<AliasRecord> m_aliases;
};

} // namespace

QByteArray DtcgFormat::write(const VariableCollection &c)
{
    return Writer(c).run();
}

VariableCollection DtcgFormat::read(const QByteArray &data, const QString &where)
{
    return Reader(data, where).run();
}

QString DtcgFormat::reference(const QString &name)
{
    QString out = name;
    out.replace(u'/', u'.');
    return u'{' + out + u'}';
}

} // namespace sp
