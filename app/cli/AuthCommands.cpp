// auth status | auth google configure|sign-in|sign-out | auth figma set-token|clear
// Secrets (refresh token, client secret, Figma token) go to the OS keychain only; they are read
// from standard input, never from argv (visible in `ps`), and never printed or audited.
#include "Cli.h"

#include "auth/FigmaCredentials.h"
#include "auth/OAuthSession.h"
#include "auth/OAuthSettings.h"
#include "auth/SecretStore.h"

#include <QFile>
#include <QJsonObject>
#include <QProcess>

#include <algorithm>
#include <cstdio>

namespace sp::cli {

namespace {

struct Tr
{
    Q_DECLARE_TR_FUNCTIONS(AuthCommands)
};

const QString kGoogleObject = QStringLiteral("auth:google");
const QString kFigmaObject = QStringLiteral("auth:figma");

void noArgs(QCommandLineParser &p)
{
    if (!p.positionalArguments().isEmpty())
        Cli::usage(Tr::tr("Unexpected argument \"%1\".").arg(p.positionalArguments().first()));
}

// One secret from standard input: everything up to EOF, surrounding whitespace removed.
QString secretFromStdin(const QString &what)
{
    QFile in;
    if (!in.open(stdin, QIODevice::ReadOnly))
        invalid(Tr::tr("Cannot read the %1 from standard input.").arg(what));
    const QByteArray bytes = in.read(64 * 1024);
    const QString secret = QString::fromUtf8(bytes).trimmed();
    if (secret.isEmpty())
        invalid(Tr::tr("No %1 on standard input: pipe it in, e.g. `… | syncpilot-cli auth figma set-token`.").arg(what));
    return secret;
}

void stderrLine(const QString &text)
{
    const QByteArray bytes = text.toUtf8() + '\n';
    std::fwrite(bytes.constData(), 1, static_cast<size_t>(bytes.size()), stderr);
    std::fflush(stderr);
}

void audit(Cli &cli, const ChangeContext &ctx, const QString &action, const QString &object, const QJsonValue &before,
           const QJsonValue &after)
{
    Workspace &ws = cli.workspace();
    ws.write([&] { AuditLog(ws).append(ctx, action, object, before, after); });
}

} // namespace

void addAuthCommands(QList<Command> &commands)
{
    commands << Command{
        {QStringLiteral("auth"), QStringLiteral("status")}, {},
        Tr::tr("Show the Google account signed in on this computer and whether a Figma token is stored."),
        {},
        [](Cli &cli, QCommandLineParser &p) {
            noArgs(p);
            KeychainSecretStore store;
            OAuthSettings settings = OAuthSettings::googleDefaults();
            bool haveWorkspace = true;
            try {
                settings = OAuthSettings::load(cli.workspace());
            } catch (const Error &) {
                haveWorkspace = false; // the keychain part is still worth showing
            }
            OAuthSession session(settings, store);
            const bool signedIn = session.isSignedIn();
            const QString account = session.account();
            const bool secret = OAuthSettings::clientSecret(store).has_value();
            const bool figma = FigmaCredentials::token(store).has_value();
            if (cli.json()) {
                QJsonObject google{{QStringLiteral("signedIn"), signedIn},
                                   {QStringLiteral("account"), account},
                                   {QStringLiteral("clientSecretStored"), secret}};
                if (haveWorkspace)
                    google.insert(QStringLiteral("settings"), settings.toJson());
                cli.outJson(QJsonObject{{QStringLiteral("google"), google},
                                        {QStringLiteral("figma"), QJsonObject{{QStringLiteral("tokenStored"), figma}}}});
                return 0;
            }
            if (signedIn)
                cli.out(Tr::tr("Google: signed in as %1").arg(account.isEmpty() ? Tr::tr("(unknown account)") : account));
            else
                cli.out(Tr::tr("Google: not signed in"));
            if (haveWorkspace)
                cli.out(Tr::tr("Google client: %1").arg(settings.clientId.isEmpty() ? Tr::tr("not configured") : settings.clientId));
            cli.out(Tr::tr("Google client secret: %1").arg(secret ? Tr::tr("stored in the keychain") : Tr::tr("none (public client)")));
            cli.out(Tr::tr("Figma token: %1").arg(figma ? Tr::tr("stored in the keychain") : Tr::tr("not set")));
            return 0;
        }};

    commands << Command{
        {QStringLiteral("auth"), QStringLiteral("google"), QStringLiteral("configure")},
        QStringLiteral("[--client-id ID] [--auth-url U] [--token-url U] [--revoke-url U] [--scopes \"…\"] [--client-secret-stdin]"),
        Tr::tr("Set the Google OAuth client and endpoints of this workspace; the client secret goes to the keychain."),
        [](QCommandLineParser &p) {
            p.addOptions({opt(QStringLiteral("client-id"), Tr::tr("OAuth client id (a Desktop-app client)."), QStringLiteral("ID")),
                          opt(QStringLiteral("auth-url"), Tr::tr("Authorization endpoint."), QStringLiteral("U")),
                          opt(QStringLiteral("token-url"), Tr::tr("Token endpoint."), QStringLiteral("U")),
                          opt(QStringLiteral("revoke-url"), Tr::tr("Revocation endpoint."), QStringLiteral("U")),
                          opt(QStringLiteral("scopes"), Tr::tr("Space-separated scopes."), QStringLiteral("S")),
                          opt(QStringLiteral("client-secret-stdin"),
                              Tr::tr("Read the client secret from standard input and keep it in the keychain (empty: remove it)."))});
        },
        [](Cli &cli, QCommandLineParser &p) {
            noArgs(p);
            const QStringList names{QStringLiteral("client-id"), QStringLiteral("auth-url"), QStringLiteral("token-url"),
                                    QStringLiteral("revoke-url"), QStringLiteral("scopes"), QStringLiteral("client-secret-stdin")};
            if (std::none_of(names.begin(), names.end(), [&](const QString &n) { return p.isSet(n); }))
                Cli::usage(Tr::tr("Nothing to configure: give at least one of --%1.").arg(names.join(QStringLiteral(", --"))));
            Workspace &ws = cli.workspace();
            const OAuthSettings before = OAuthSettings::load(ws);
            OAuthSettings after = before;
            if (p.isSet(QStringLiteral("client-id")))
                after.clientId = p.value(QStringLiteral("client-id")).trimmed();
            if (p.isSet(QStringLiteral("auth-url")))
                after.authorizationUrl = QUrl(p.value(QStringLiteral("auth-url")), QUrl::StrictMode);
            if (p.isSet(QStringLiteral("token-url")))
                after.tokenUrl = QUrl(p.value(QStringLiteral("token-url")), QUrl::StrictMode);
            if (p.isSet(QStringLiteral("revoke-url")))
                after.revocationUrl = QUrl(p.value(QStringLiteral("revoke-url")), QUrl::StrictMode);
            if (p.isSet(QStringLiteral("scopes")))
                after.scopes = p.value(QStringLiteral("scopes")).split(QLatin1Char(' '), Qt::SkipEmptyParts);
            after.validate(); // nothing is changed unless all of it is usable

            QJsonObject auditAfter = after.toJson();
            if (p.isSet(QStringLiteral("client-secret-stdin"))) {
                QFile in;
                const QString secret = in.open(stdin, QIODevice::ReadOnly) ? QString::fromUtf8(in.read(64 * 1024)).trimmed() : QString();
                KeychainSecretStore store;
                OAuthSettings::setClientSecret(store, secret);
                // Only the fact, never the value.
                auditAfter.insert(QStringLiteral("clientSecret"), secret.isEmpty() ? QStringLiteral("removed") : QStringLiteral("stored in the keychain"));
            }
            ws.write([&] {
                after.save(ws);
                AuditLog(ws).append(cli.context(QStringLiteral("cli")), QStringLiteral("auth.google.configure"), kGoogleObject,
                                    before.toJson(), auditAfter);
            });
            if (cli.json())
                cli.outJson(auditAfter);
            else
                cli.out(Tr::tr("Google sign-in configured for client %1.").arg(after.clientId));
            return 0;
        }};

    commands << Command{
        {QStringLiteral("auth"), QStringLiteral("google"), QStringLiteral("sign-in")}, QStringLiteral("[--no-browser] [--timeout SECONDS]"),
        Tr::tr("Sign in to Google in the browser; the refresh token is kept in the OS keychain."),
        [](QCommandLineParser &p) {
            p.addOptions({opt(QStringLiteral("no-browser"), Tr::tr("Only print the address to open; do not start a browser.")),
                          opt(QStringLiteral("timeout"), Tr::tr("How long to wait for the browser (default 300)."), QStringLiteral("SECONDS"))});
        },
        [](Cli &cli, QCommandLineParser &p) {
            noArgs(p);
            int timeoutSeconds = 300;
            if (p.isSet(QStringLiteral("timeout"))) {
                bool ok = false;
                timeoutSeconds = p.value(QStringLiteral("timeout")).toInt(&ok);
                if (!ok || timeoutSeconds <= 0 || timeoutSeconds > 3600)
                    invalid(Tr::tr("--timeout: \"%1\" is not a number of seconds between 1 and 3600.").arg(p.value(QStringLiteral("timeout"))));
            }
            Workspace &ws = cli.workspace();
            const OAuthSettings settings = OAuthSettings::load(ws);
            settings.validate();
            KeychainSecretStore store;
            OAuthSession session(settings, store, OAuthSettings::clientSecret(store));
            const bool noBrowser = p.isSet(QStringLiteral("no-browser"));
            const QString account = session.signIn(
                [&](const QUrl &url) {
                    // The address carries no secret (state and code_challenge are one-use and public by design).
                    stderrLine(Tr::tr("Open this address in a browser to sign in to Google:"));
                    stderrLine(QString::fromLatin1(url.toEncoded()));
                    if (!noBrowser && !QProcess::startDetached(QStringLiteral("xdg-open"), {QString::fromLatin1(url.toEncoded())}))
                        stderrLine(Tr::tr("Could not start a browser; open the address above yourself."));
                    stderrLine(Tr::tr("Waiting for the browser (up to %n second(s))…", nullptr, timeoutSeconds));
                },
                timeoutSeconds * 1000);
            ChangeContext ctx = cli.context(QStringLiteral("cli"));
            ctx.account = account;
            audit(cli, ctx, QStringLiteral("auth.google.sign-in"), kGoogleObject, QJsonValue(),
                  QJsonObject{{QStringLiteral("account"), account}});
            if (cli.json())
                cli.outJson(QJsonObject{{QStringLiteral("account"), account}, {QStringLiteral("signedIn"), true}});
            else
                cli.out(Tr::tr("Signed in to Google as %1.").arg(account.isEmpty() ? Tr::tr("(unknown account)") : account));
            return 0;
        }};

    commands << Command{
        {QStringLiteral("auth"), QStringLiteral("google"), QStringLiteral("sign-out")}, {},
        Tr::tr("Revoke the Google sign-in and remove it from the keychain."),
        {},
        [](Cli &cli, QCommandLineParser &p) {
            noArgs(p);
            Workspace &ws = cli.workspace();
            KeychainSecretStore store;
            OAuthSession session(OAuthSettings::load(ws), store, OAuthSettings::clientSecret(store));
            const bool wasSignedIn = session.isSignedIn();
            const QString account = session.account();
            const QString warning = session.signOut();
            if (wasSignedIn) {
                ChangeContext ctx = cli.context(QStringLiteral("cli"));
                ctx.account = account;
                audit(cli, ctx, QStringLiteral("auth.google.sign-out"), kGoogleObject,
                      QJsonObject{{QStringLiteral("account"), account}}, QJsonValue());
            }
            if (!warning.isEmpty())
                cli.warn(warning);
            if (cli.json())
                cli.outJson(QJsonObject{{QStringLiteral("signedIn"), false}, {QStringLiteral("revoked"), wasSignedIn && warning.isEmpty()}});
            else if (wasSignedIn)
                cli.out(Tr::tr("Signed out of Google (%1).").arg(account.isEmpty() ? Tr::tr("unknown account") : account));
            else
                cli.out(Tr::tr("Not signed in to Google; nothing to do."));
            return warning.isEmpty() ? 0 : 1;
        }};

    commands << Command{
        {QStringLiteral("auth"), QStringLiteral("figma"), QStringLiteral("set-token")}, QStringLiteral("< TOKEN"),
        Tr::tr("Store the Figma access token read from standard input in the keychain."),
        {},
        [](Cli &cli, QCommandLineParser &p) {
            noArgs(p);
            Workspace &ws = cli.workspace();
            Q_UNUSED(ws); // opened first: a wrong --workspace must fail before the keychain changes
            const QString token = secretFromStdin(Tr::tr("Figma token"));
            KeychainSecretStore store;
            const bool had = FigmaCredentials::token(store).has_value();
            FigmaCredentials::setToken(store, token);
            audit(cli, cli.context(QStringLiteral("cli")), QStringLiteral("auth.figma.set-token"), kFigmaObject,
                  QJsonObject{{QStringLiteral("tokenStored"), had}}, QJsonObject{{QStringLiteral("tokenStored"), true}});
            if (cli.json())
                cli.outJson(QJsonObject{{QStringLiteral("tokenStored"), true}});
            else
                cli.out(Tr::tr("Figma token stored in the keychain."));
            return 0;
        }};

    commands << Command{
        {QStringLiteral("auth"), QStringLiteral("figma"), QStringLiteral("clear")}, {},
        Tr::tr("Remove the Figma access token from the keychain."),
        {},
        [](Cli &cli, QCommandLineParser &p) {
            noArgs(p);
            Workspace &ws = cli.workspace();
            Q_UNUSED(ws);
            KeychainSecretStore store;
            const bool had = FigmaCredentials::token(store).has_value();
            FigmaCredentials::clear(store);
            if (had)
                audit(cli, cli.context(QStringLiteral("cli")), QStringLiteral("auth.figma.clear"), kFigmaObject,
                      QJsonObject{{QStringLiteral("tokenStored"), true}}, QJsonObject{{QStringLiteral("tokenStored"), false}});
            if (cli.json())
                cli.outJson(QJsonObject{{QStringLiteral("tokenStored"), false}});
            else
                cli.out(had ? Tr::tr("Figma token removed.") : Tr::tr("No Figma token was stored."));
            return 0;
        }};
}

} // namespace sp::cli
