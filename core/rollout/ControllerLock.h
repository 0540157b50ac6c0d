#pragma once

#include <QCoreApplication>
#include <QString>

#include <memory>

namespace sp {

class Workspace;

// Makes sure only one process runs the controller for a workspace. SQLite: a lock file next to
// the database (QLockFile, stale after the holder dies). PostgreSQL: a session-level advisory
// lock on a dedicated connection (released by the server when the holder's connection ends).
class ControllerLock
{
    Q_DECLARE_TR_FUNCTIONS(ControllerLock)

public:
    explicit ControllerLock(Workspace &workspace);
    ~ControllerLock();
    ControllerLock(const ControllerLock &) = delete;
    ControllerLock &operator=(const ControllerLock &) = delete;

    bool tryAcquire();       // non-blocking
    void release();
    bool isHeld() const;
    // Who holds it, in words ("pid 4242 on host ops-1 since 10:02"), as far as it can be told.
    QString holderDescription() const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace sp
