// libFuzzer entry point: any bytes through the CSV reader (both delimiters), the mapping and the
// value parser. Malformed input may only ever end in sp::Error, never in a crash, a hang or
// undefined behaviour; a mapping must either be ok() or name a cell for every problem.
#include "common/Error.h"
#include "sync/CsvReader.h"
#include "sync/Mapping.h"
#include "sync/ValueParser.h"

#include <QByteArrayView>
#include <QString>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace {

void mapTable(const sp::Table &table)
{
    const sp::MappingResult result = sp::Mapping::map(table, sp::MappingSpec());
    for (const sp::MappingProblem &p : result.problems) {
        if (p.cell.isEmpty() || p.message.isEmpty())
            std::abort(); // every problem must say where and what
    }
    if (result.ok()) {
        for (const sp::Variable &v : result.collection.variables) {
            if (v.values.size() != result.collection.modes.size())
                std::abort();
        }
        (void)result.collection.contentHash();
    }

    // The same table with the first column as the only mode, which routes every cell through the
    // value parser with each explicit type.
    for (const QStringList &row : table.rows) {
        for (const QString &cell : row) {
            for (const sp::VariableType type : {sp::VariableType::Color, sp::VariableType::Float,
                                                sp::VariableType::Boolean, sp::VariableType::String}) {
                sp::VariableValue value;
                QString error;
                if (!sp::ValueParser::parse(cell, type, &value, &error) && error.isEmpty())
                    std::abort(); // a failure must say why
                (void)value.display();
            }
            (void)sp::ValueParser::shape(cell);
            (void)sp::ValueParser::checkName(cell);
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    for (const QChar delimiter : {QChar(), QChar(u','), QChar(u'\t')}) {
        try {
            mapTable(sp::CsvReader::parse(bytes, QStringLiteral("Sheet1"), QStringLiteral("fuzz.csv"), delimiter));
        } catch (const sp::Error &e) {
            if (e.message().isEmpty())
                std::abort();
        }
    }
    return 0;
}
