#include "sync/CsvFileSource.h"

#include "sync/CsvReader.h"

#include <QFileInfo>

namespace sp {

CsvFileSource::CsvFileSource(const QString &path, QChar delimiter, QObject *parent)
    : QObject(parent), m_path(QFileInfo(path).absoluteFilePath()), m_delimiter(delimiter)
{
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(debounceMs);
    connect(&m_debounce, &QTimer::timeout, this, &CsvFileSource::settle);
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, &CsvFileSource::onFileChanged);
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, &CsvFileSource::onDirectoryChanged);
    m_watcher.addPath(QFileInfo(m_path).absolutePath());
    watchFile();
    m_stamp = stamp();
}

Table CsvFileSource::read() const
{
    return CsvReader::readFile(m_path, m_delimiter);
}

CsvFileSource::Stamp CsvFileSource::stamp() const
{
    const QFileInfo info(m_path);
    if (!info.exists())
        return {};
    return Stamp{true, info.size(), info.fileTime(QFileDevice::FileModificationTime),
                 info.fileTime(QFileDevice::FileMetadataChangeTime)};
}

void CsvFileSource::watchFile()
{
    if (!m_watcher.files().contains(m_path) && QFileInfo::exists(m_path))
        m_watcher.addPath(m_path);
}

void CsvFileSource::onFileChanged()
{
    // A rename over the file ends the watch on the old inode; watch the new one.
    watchFile();
    m_fileEvent = true;
    m_debounce.start();
}

void CsvFileSource::onDirectoryChanged()
{
    // Other files in the directory change too; only a change of this file's stamp counts (see
    // settle), but a file that was just created or renamed into place must be watched now.
    watchFile();
    m_debounce.start();
}

void CsvFileSource::settle()
{
    watchFile();
    const Stamp now = stamp();
    const bool changedNow = m_fileEvent || now != m_stamp;
    m_fileEvent = false;
    m_stamp = now;
    if (changedNow)
        Q_EMIT changed();
}

} // namespace sp
