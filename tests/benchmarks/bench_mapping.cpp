// The mapping quality bar (DESIGN.md §4): a 100 000-row × 4-mode sheet parsed, typed and validated
// in ≤ 150 ms. The sheet is generated in memory: colours (hex, rgb(), hsl()), numbers with px and
// rem, plain numbers, strings, booleans and 2 % aliases; half the rows have a Type, half are
// inferred, as in real sheets.
#include "sync/CsvReader.h"
#include "sync/Mapping.h"

#include <benchmark/benchmark.h>

#include <QByteArray>

#include <cstdio>
#include <cstdlib>

namespace {

constexpr int kRows = 100000;

QByteArray makeSheet()
{
    QByteArray csv;
    csv.reserve(kRows * 80);
    csv += "Name,Type,Description,Light,Dark,HighContrast,Print\n";
    auto number = [](int i) { return QByteArray::number(i); };
    for (int i = 0; i < kRows; ++i) {
        const QByteArray n = number(i);
        const bool typed = i % 2 == 0;
        if (i % 50 == 49) { // 2 % aliases to an earlier colour row (row i - 49 is a colour: see below)
            const QByteArray target = "{color/c" + number(i - 49) + '}';
            csv += "alias/a" + n + ",,," + target + ',' + target + ',' + target + ',' + target + '\n';
            continue;
        }
        switch (i % 5) {
        case 0: {
            const QByteArray hex = QByteArray::number(0x100000 + (i * 2654435761u) % 0xefffff, 16);
            csv += "color/c" + n + (typed ? ",COLOR" : ",") + ",A colour,#" + hex + ",#" + hex + "cc,\"rgb(" + number(i % 256)
                   + ", 20, 30)\",\"hsl(" + number(i % 360) + ", 50%, 50%)\"\n";
            break;
        }
        case 1:
            csv += "space/s" + n + (typed ? ",FLOAT" : ",") + ",," + number(i % 64) + "px," + number(i % 64) + "px,"
                   + number(i % 8) + ".5rem," + number(i % 100) + '\n';
            break;
        case 2:
            csv += "font/f" + n + (typed ? ",STRING" : ",") + ",\"Family, with comma\",Inter,\"Inter, sans-serif\",Arial,Times\n";
            break;
        case 3:
            csv += "feature/b" + n + (typed ? ",BOOLEAN" : ",") + ",,TRUE,FALSE,true,false\n";
            break;
        default:
            csv += "opacity/o" + n + (typed ? ",FLOAT" : ",") + ",,0.4,0.64,1,0.08\n";
            break;
        }
    }
    return csv;
}

const QByteArray &sheet()
{
    static const QByteArray data = makeSheet();
    return data;
}

void checkOk(const sp::MappingResult &r, benchmark::State &state)
{
    if (!r.ok() || r.collection.variables.size() != kRows) {
        std::fprintf(stderr, "mapping failed: %d problems, first: %s\n", int(r.problems.size()),
                     r.problems.isEmpty() ? "" : qPrintable(r.problems.first().text()));
        state.SkipWithError("the generated sheet did not map cleanly");
    }
}

// The §4 number: bytes in, validated collection out.
void BM_ParseAndMap(benchmark::State &state)
{
    const QByteArray &data = sheet();
    checkOk(sp::Mapping::map(sp::CsvReader::parse(data, QStringLiteral("Sheet1"), QStringLiteral("bench.csv")), sp::MappingSpec()), state);
    for (auto _ : state) {
        const sp::Table t = sp::CsvReader::parse(data, QStringLiteral("Sheet1"), QStringLiteral("bench.csv"));
        const sp::MappingResult r = sp::Mapping::map(t, sp::MappingSpec());
        benchmark::DoNotOptimize(r.collection.variables.size());
    }
    state.SetItemsProcessed(state.iterations() * kRows);
    state.SetBytesProcessed(state.iterations() * data.size());
}
BENCHMARK(BM_ParseAndMap)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_CsvParse(benchmark::State &state)
{
    const QByteArray &data = sheet();
    for (auto _ : state) {
        const sp::Table t = sp::CsvReader::parse(data, QStringLiteral("Sheet1"), QStringLiteral("bench.csv"));
        benchmark::DoNotOptimize(t.rows.size());
    }
    state.SetItemsProcessed(state.iterations() * kRows);
    state.SetBytesProcessed(state.iterations() * data.size());
}
BENCHMARK(BM_CsvParse)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Map(benchmark::State &state)
{
    const sp::Table t = sp::CsvReader::parse(sheet(), QStringLiteral("Sheet1"), QStringLiteral("bench.csv"));
    checkOk(sp::Mapping::map(t, sp::MappingSpec()), state);
    for (auto _ : state) {
        const sp::MappingResult r = sp::Mapping::map(t, sp::MappingSpec());
        benchmark::DoNotOptimize(r.collection.variables.size());
    }
    state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_Map)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace
