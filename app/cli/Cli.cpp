#include "Cli.h"

#include "auth/SignedInAccount.h"

#include "common/Clock.h"
#include "flags/Flag.h"

#include <QFile>
#include <QJsonArray>
#include <QTimeZone>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QStringDecoder>

#include <cstdio>

namespace sp::cli {

namespace {

void writeStream(FILE *stream, const QByteArray &bytes)
{
    std::fwrite(bytes.constData(), 1, static_cast<size_t>(bytes.size()), stream);
    std::fflush(stream);
}

QString errorKindName(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::Failure: return QStringLiteral("failure");
    case ErrorKind::Usage: return QStringLiteral("usage");
    case ErrorKind::InvalidInput: return QStringLiteral("invalid_input");
    case ErrorKind::Conflict: return QStringLiteral("conflict");
    }
    return {};
}

} // namespace

QCommandLineOption opt(const QString &name, const QString &help, const QString &valueName)
{
    return valueName.isEmpty() ? QCommandLineOption(name, help) : QCommandLineOption(name, help, valueName);
}

QString oneArg(QCommandLineParser &p, const QString &what)
{
    const QStringList args = p.positionalArguments();
    if (args.size() != 1)
        Cli::usage(Cli::tr("Expected exactly one %1.").arg(what));
    return args.first();
}

Cli::Cli()
{
    addWorkspaceCommands(m_commands);
    addFlagCommands(m_commands);
    addAuditCommands(m_commands);
    addMetricsCommands(m_commands);
    addRolloutCommands(m_commands);
    addRollbackCommands(m_commands);
    addAgentCommands(m_commands);
    addMapCommands(m_commands);
    addAuthCommands(m_commands);
    addSyncCommands(m_commands);
}

void Cli::out(const QString &text) const { writeStream(stdout, text.toUtf8() + '\n'); }

void Cli::outJson(const QJsonValue &value) const
{
    QJsonDocument doc = value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject());
    writeStream(stdout, doc.toJson(QJsonDocument::Indented));
}

void Cli::warn(const QString &text) const { writeStream(stderr, QByteArrayLiteral("syncpilot-cli: ") + text.toUtf8() + '\n'); }

void Cli::usage(const QString &message) { throw Error(ErrorKind::Usage, message); }

ChangeContext Cli::context(const QString &source, const QString &reason) const
{
    ChangeContext ctx = ChangeContext::local(source, reason);
    ctx.account = SignedInAccount::current(); // who is signed in to Google here, for the audit
    return ctx;
}

Workspace &Cli::workspace(Workspace::OpenMode mode)
{
    if (!m_ws)
        m_ws = Workspace::open(m_location.isEmpty() ? Workspace::defaultLocation() : m_location, mode);
    return *m_ws;
}

const Command *Cli::find(const QStringList &words, int *consumed) const
{
    const Command *best = nullptr;
    for (const Command &c : m_commands) {
        if (c.words.size() > words.size() || (best && best->words.size() >= c.words.size()))
            continue;
        if (words.mid(0, c.words.size()) == c.words)
            best = &c;
    }
    if (best)
        *consumed = static_cast<int>(best->words.size());
    return best;
}

void Cli::printHelp(const QStringList &prefix) const
{
    QString text = tr("Usage: syncpilot-cli [--workspace PATH|postgresql://…] [--json] COMMAND [OPTIONS]\n\n"
                      "SyncPilot: flags, rollouts and rollbacks for data-sync features.\n\n"
                      "Global options:\n"
                      "  --workspace LOCATION  SQLite file or postgresql://user:password@host:port/db\n"
                      "                        (default: %1)\n"
                      "  --json                machine-readable output\n"
                      "  --help                help for a command: syncpilot-cli flag set --help\n"
                      "  --version             print the version\n\n"
                      "Exit codes: 0 ok, 1 failure, 2 usage, 3 invalid input, 4 conflict.\n\nCommands:\n")
                       .arg(Workspace::defaultLocation());
    for (const Command &c : m_commands) {
        if (!prefix.isEmpty() && c.words.mid(0, prefix.size()) != prefix)
            continue;
        const QString left = c.words.join(QLatin1Char(' ')) + (c.synopsis.isEmpty() ? QString() : QLatin1Char(' ') + c.synopsis);
        text += QStringLiteral("  %1\n      %2\n").arg(left, c.description);
    }
    writeStream(stdout, text.toUtf8());
}

int Cli::run(const QStringList &arguments)
{
    // Global options may stand anywhere before "--".
    QStringList rest;
    bool help = false;
    bool version = false;
    try {
        for (int i = 0; i < arguments.size(); ++i) {
            const QString &a = arguments[i];
            if (a == QLatin1String("--")) {
                rest << arguments.mid(i);
                break;
            }
            if (a == QLatin1String("--workspace")) {
                if (i + 1 >= arguments.size())
                    usage(tr("--workspace needs a value: a file path or a postgresql:// URL."));
                m_location = arguments[++i];
            } else if (a.startsWith(QLatin1String("--workspace="))) {
                m_location = a.mid(12);
            } else if (a == QLatin1String("--json")) {
                m_json = true;
            } else if (a == QLatin1String("--help") || a == QLatin1String("-h")) {
                help = true;
            } else if (a == QLatin1String("--version")) {
                version = true;
            } else {
                rest << a;
            }
        }
        if (m_location.isEmpty())
            m_location = qEnvironmentVariable("SYNCPILOT_WORKSPACE");

        QStringList words;
        for (const QString &a : rest) {
            if (a.startsWith(QLatin1Char('-')))
                break;
            words << a;
        }
        int consumed = 0;
        const Command *command = find(words, &consumed);

        if (version && !command) {
            if (m_json)
                outJson(QJsonObject{{QStringLiteral("version"), QStringLiteral(SYNCPILOT_VERSION)}});
            else
                out(QStringLiteral("syncpilot-cli %1").arg(QStringLiteral(SYNCPILOT_VERSION)));
            return 0;
        }
        if (!command) {
            if (help || rest.isEmpty()) {
                printHelp(words);
                return help ? 0 : 2;
            }
            usage(tr("Unknown command \"%1\". Run syncpilot-cli --help for the list of commands.").arg(words.join(QLatin1Char(' '))));
        }

        QCommandLineParser parser;
        parser.setApplicationDescription(command->description);
        parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
        parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
        if (command->options)
            command->options(parser);
        // Also keeps QCommandLineParser's help columns sane for commands without options.
        parser.addOption(QCommandLineOption({QStringLiteral("h"), QStringLiteral("help")}, tr("Show this help.")));
        QStringList args{QStringLiteral("syncpilot-cli ") + command->words.join(QLatin1Char(' '))};
        args << rest.mid(consumed);
        if (help) {
            QString text = parser.helpText();
            text.replace(QRegularExpression(QStringLiteral("^Usage: [^\\n]*")),
                         QStringLiteral("Usage: syncpilot-cli [--workspace LOCATION] [--json] %1 %2")
                             .arg(command->words.join(QLatin1Char(' ')), command->synopsis));
            writeStream(stdout, text.toUtf8());
            return 0;
        }
        if (!parser.parse(args))
            usage(parser.errorText());
        return command->run(*this, parser);
    } catch (const Error &e) {
        if (m_json) {
            const QJsonObject err{{QStringLiteral("error"),
                                   QJsonObject{{QStringLiteral("kind"), errorKindName(e.kind())},
                                               {QStringLiteral("message"), e.message()},
                                               {QStringLiteral("exitCode"), static_cast<int>(e.kind())}}}};
            writeStream(stderr, QJsonDocument(err).toJson(QJsonDocument::Compact) + '\n');
        } else {
            warn(e.message());
        }
        return static_cast<int>(e.kind());
    } catch (const std::exception &e) {
        warn(QString::fromLocal8Bit(e.what()));
        return 1;
    }
}

QList<KeyLine> Cli::readKeysFile(const QString &path, bool allowAttributes)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        invalid(tr("Cannot read keys file %1: %2").arg(path, file.errorString()));
    QList<KeyLine> keys;
    int lineNo = 0;
    while (!file.atEnd()) {
        QByteArray raw = file.readLine();
        ++lineNo;
        if (raw.endsWith('\n'))
            raw.chop(1);
        if (raw.endsWith('\r'))
            raw.chop(1);
        if (lineNo == 1 && raw.startsWith("\xEF\xBB\xBF"))
            raw.remove(0, 3);
        const QString where = QStringLiteral("%1:%2").arg(path).arg(lineNo);
        QStringDecoder decoder(QStringDecoder::Utf8);
        const QString line = decoder(raw);
        if (decoder.hasError())
            invalid(tr("%1: not valid UTF-8.").arg(where));
        if (line.trimmed().isEmpty())
            continue;
        QStringList fields = line.split(QLatin1Char('\t'));
        KeyLine k;
        k.key = fields.takeFirst();
        k.line = lineNo;
        FlagRules::checkTargetingKey(k.key, where);
        if (!fields.isEmpty()) {
            if (!allowAttributes)
                invalid(tr("%1: expected one targeting key a line, found a TAB.").arg(where));
            k.attributes = parseAttributes(fields, where);
        }
        keys << k;
    }
    if (keys.isEmpty())
        invalid(tr("Keys file %1 is empty: expected one targeting key a line.").arg(path));
    return keys;
}

Attributes Cli::parseAttributes(const QStringList &pairs, const QString &where)
{
    static const QRegularExpression re(QStringLiteral("^([A-Za-z_][A-Za-z0-9_]{0,63})=(.*)$"));
    Attributes attrs;
    for (const QString &p : pairs) {
        const auto m = re.match(p);
        if (!m.hasMatch())
            invalid(tr("%1: attribute \"%2\" is not name=value (name: letters, digits, '_').").arg(where, p));
        attrs[m.captured(1).toStdString()] = m.captured(2).toStdString();
    }
    return attrs;
}

QDateTime Cli::parseTime(const QString &text, const QString &option)
{
    static const QRegularExpression ago(QStringLiteral("^(\\d+)([smhd])$"));
    if (const auto m = ago.match(text); m.hasMatch()) {
        const qint64 n = m.captured(1).toLongLong();
        const QChar unit = m.captured(2).at(0);
        const qint64 secs = unit == QLatin1Char('s') ? n : unit == QLatin1Char('m') ? n * 60 : unit == QLatin1Char('h') ? n * 3600 : n * 86400;
        return Clock::current().now().addSecs(-secs);
    }
    QDateTime t = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!t.isValid())
        t = QDateTime::fromString(text, Qt::ISODate);
    if (!t.isValid()) {
        const QDate d = QDate::fromString(text, Qt::ISODate);
        if (d.isValid())
            t = QDateTime(d, QTime(0, 0), QTimeZone::utc());
    }
    if (!t.isValid())
        invalid(tr("%1: \"%2\" is not a time; use ISO 8601 (2026-11-21, 2026-11-21T10:00:00Z) or an age such as 24h or 7d.")
                    .arg(option, text));
    return t.toUTC();
}

} // namespace sp::cli
