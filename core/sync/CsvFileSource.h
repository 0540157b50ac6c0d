#pragma once

#include "sync/Table.h"

#include <QChar>
#include <QDateTime>
#include <QFileSystemWatcher>
#include <QObject>
#include <QString>
#include <QTimer>

namespace sp {

// A local CSV/TSV export of a sheet as a sync source. Reads on demand and says when the file
// changed, so sync mode can re-read it. Editors and exporters often write a new file and rename
// it over the old one, which ends a plain file watch; the directory is watched as well and the
// file watch is set up again after such a replacement.
class CsvFileSource : public QObject
{
    Q_OBJECT

public:
    // delimiter null: by extension and content (see CsvReader).
    explicit CsvFileSource(const QString &path, QChar delimiter = QChar(), QObject *parent = nullptr);

    QString path() const { return m_path; }
    QChar delimiter() const { return m_delimiter; }
    // Throws sp::fail when the file cannot be read, sp::invalid when it is malformed.
    Table read() const;

    // Bursts of file events (an editor's save is often several) become one changed() after this.
    static constexpr int debounceMs = 200;

Q_SIGNALS:
    // The file was written, replaced, removed or created since the last signal.
    void changed();

private:
    struct Stamp
    {
        bool exists = false;
        qint64 size = -1;
        QDateTime modified;
        QDateTime metadataChanged;
        bool operator==(const Stamp &) const = default;
    };
    Stamp stamp() const;
    void watchFile();
    void onFileChanged();
    void onDirectoryChanged();
    void settle();

    QString m_path;
    QChar m_delimiter;
    QFileSystemWatcher m_watcher;
    QTimer m_debounce;
    Stamp m_stamp;
    bool m_fileEvent = false;
};

} // namespace sp
