#pragma once

#include <QString>
#include <QStringList>

namespace sp {

// A numbered schema change. Statements are portable SQL unless an engine-specific list is given.
struct Migration
{
    int version;
    QString description;
    QStringList statements;         // both engines
    QStringList sqliteStatements;   // SQLite only, after statements
    QStringList postgresStatements; // PostgreSQL only, after statements
};

const QList<Migration> &migrations();

} // namespace sp
