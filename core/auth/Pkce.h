#pragma once

#include <QByteArray>

namespace sp {

// PKCE (RFC 7636) with S256 and the OAuth `state`, from the OS's CSPRNG.
namespace Pkce {

// base64url without padding of `bytes` random bytes (32 -> 43 characters, the RFC's minimum).
QByteArray randomUrlSafe(int bytes);
// A fresh code_verifier: 43 characters of [A-Za-z0-9_-].
QByteArray newVerifier();
// code_challenge = BASE64URL(SHA256(verifier)), unpadded.
QByteArray s256Challenge(const QByteArray &verifier);
// A fresh, unguessable state value for one authorization request.
QByteArray newState();

} // namespace Pkce

} // namespace sp
