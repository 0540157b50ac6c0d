#pragma once

#include <QByteArray>
#include <QString>

#include <exception>

namespace sp {

// What went wrong, in the terms the CLI's exit codes use (DESIGN.md §3).
enum class ErrorKind {
    Failure = 1,      // the operation could not be carried out (I/O, database, network)
    Usage = 2,        // the command line itself is wrong
    InvalidInput = 3, // a file, key, value or field is malformed; nothing was changed
    Conflict = 4,     // someone else changed the object first, or the state forbids it
};

// Thrown by core for anything a user must read. The message is already translated and names the
// file, cell or field at fault.
class Error : public std::exception
{
public:
    Error(ErrorKind kind, QString message)
        : m_kind(kind), m_message(std::move(message)), m_what(m_message.toUtf8()) {}

    ErrorKind kind() const noexcept { return m_kind; }
    const QString &message() const noexcept { return m_message; }
    const char *what() const noexcept override { return m_what.constData(); }

private:
    ErrorKind m_kind;
    QString m_message;
    QByteArray m_what;
};

[[noreturn]] inline void fail(QString message) { throw Error(ErrorKind::Failure, std::move(message)); }
[[noreturn]] inline void invalid(QString message) { throw Error(ErrorKind::InvalidInput, std::move(message)); }
[[noreturn]] inline void conflict(QString message) { throw Error(ErrorKind::Conflict, std::move(message)); }

} // namespace sp
