#include "Pkce.h"

#include <QCryptographicHash>
#include <QRandomGenerator>

namespace sp::Pkce {

namespace {
constexpr auto kBase64Url = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;
}

QByteArray randomUrlSafe(int bytes)
{
    // system(): the OS CSPRNG. global() is only seeded from it and must not make secrets.
    QByteArray raw(bytes, Qt::Uninitialized);
    for (int i = 0; i < bytes; ++i)
        raw[i] = static_cast<char>(QRandomGenerator::system()->bounded(256));
    return raw.toBase64(kBase64Url);
}

QByteArray newVerifier() { return randomUrlSafe(32); }

QByteArray s256Challenge(const QByteArray &verifier)
{
    return QCryptographicHash::hash(verifier, QCryptographicHash::Sha256).toBase64(kBase64Url);
}

QByteArray newState() { return randomUrlSafe(24); }

} // namespace sp::Pkce
