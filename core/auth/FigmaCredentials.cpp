#include "FigmaCredentials.h"

#include "SecretStore.h"
#include "common/Error.h"

namespace sp {

namespace {
const QString kKey = QStringLiteral("figma/token");
}

void FigmaCredentials::setToken(SecretStore &store, const QString &token)
{
    const QString t = token.trimmed(); // a trailing newline from `echo … |` is not part of it
    if (t.isEmpty())
        invalid(tr("The Figma token is empty; pass it on standard input."));
    for (const QChar c : t) {
        if (c.isSpace() || c.category() == QChar::Other_Control)
            invalid(tr("The Figma token contains whitespace or control characters; pass exactly one token on standard input."));
    }
    store.write(kKey, t);
}

std::optional<QString> FigmaCredentials::token(SecretStore &store)
{
    std::optional<QString> t = store.read(kKey);
    if (t && t->isEmpty())
        return std::nullopt;
    return t;
}

void FigmaCredentials::clear(SecretStore &store) { store.remove(kKey); }

} // namespace sp
