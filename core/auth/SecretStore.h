#pragma once

#include <QCoreApplication>
#include <QHash>
#include <QString>

#include <optional>

namespace sp {

// Where secrets live: refresh tokens, the Figma token, the Google client secret. Never the
// workspace, never a log. Calls block; a backend failure throws sp::Error naming the keychain and
// the key (never the value).
class SecretStore
{
public:
    virtual ~SecretStore();
    virtual std::optional<QString> read(const QString &key) = 0; // nullopt: no such entry
    virtual void write(const QString &key, const QString &value) = 0;
    virtual void remove(const QString &key) = 0;                 // a missing entry is not an error
};

// The OS keychain through QtKeychain (Secret Service on Linux, Keychain on macOS, Credential
// Manager on Windows). Never falls back to a plaintext file: a broken keychain is an error.
class KeychainSecretStore final : public SecretStore
{
    Q_DECLARE_TR_FUNCTIONS(KeychainSecretStore)

public:
    // service: the keychain's service name; tests pass their own so they never touch real entries.
    explicit KeychainSecretStore(QString service = QStringLiteral("SyncPilot"), int timeoutMs = 15'000);

    std::optional<QString> read(const QString &key) override;
    void write(const QString &key, const QString &value) override;
    void remove(const QString &key) override;

    QString service() const { return m_service; }

private:
    QString m_service;
    int m_timeoutMs;
};

// Secrets in memory, for unit tests and for a session that must not persist anything.
class MemorySecretStore final : public SecretStore
{
public:
    std::optional<QString> read(const QString &key) override;
    void write(const QString &key, const QString &value) override;
    void remove(const QString &key) override;

    bool contains(const QString &key) const { return m_values.contains(key); }

private:
    QHash<QString, QString> m_values;
};

} // namespace sp
