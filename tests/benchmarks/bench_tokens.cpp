// The token side of a sync (DESIGN.md §1 "Targets", "Dual-mode manager"): writing a collection of
// 100 000 variables × 4 modes as DTCG (goal ≤ 150 ms), reading it back, and the variable-level
// diff of two such collections with 1 % changed (goal ≤ 30 ms) and applying that diff.
#include "sync/CollectionDiff.h"
#include "sync/DtcgFormat.h"

#include <benchmark/benchmark.h>

namespace {

constexpr int kVariables = 100000;

// Sheet-like: groups of 100 rows under 50 top groups, mostly colours and dimensions, 5 % aliases.
sp::VariableCollection makeCollection()
{
    sp::VariableCollection c;
    c.name = QStringLiteral("Benchmark");
    c.modes = {QStringLiteral("Light"), QStringLiteral("Dark"), QStringLiteral("High contrast"), QStringLiteral("Dim")};
    c.variables.reserve(kVariables);
    for (int i = 0; i < kVariables; ++i) {
        sp::Variable v;
        v.name = QStringLiteral("group-%1/set-%2/token-%3").arg(i / 2000).arg(i / 100 % 20).arg(i);
        if (i % 10 == 0)
            v.description = QStringLiteral("Token number %1").arg(i);
        const int kind = i % 20;
        for (int m = 0; m < c.modes.size(); ++m) {
            if (kind == 19 && i > 0) {
                v.type = c.variables.at(i - 1).type;
                v.values << sp::VariableValue::ofAlias(c.variables.at(i - 1).name);
            } else if (kind < 10) {
                v.type = sp::VariableType::Color;
                const quint32 x = quint32(i) * 2654435761u + quint32(m) * 40503u;
                v.values << sp::VariableValue::ofColor(
                    sp::Rgba{(x >> 24) / 255.0, ((x >> 16) & 0xff) / 255.0, ((x >> 8) & 0xff) / 255.0, m == 3 ? 0.5 : 1.0});
            } else if (kind < 15) {
                v.type = sp::VariableType::Float;
                v.values << sp::VariableValue::ofNumber(4 * (i % 16) + m, QStringLiteral("px"));
            } else if (kind < 17) {
                v.type = sp::VariableType::Float;
                v.values << sp::VariableValue::ofNumber(0.05 * (i % 20) + 0.01 * m);
            } else if (kind == 17) {
                v.type = sp::VariableType::Boolean;
                v.values << sp::VariableValue::ofBoolean((i + m) % 2 == 0);
            } else {
                v.type = sp::VariableType::String;
                v.values << sp::VariableValue::ofString(QStringLiteral("Inter %1").arg(m));
            }
        }
        c.variables << v;
    }
    return c;
}

// 1 % changed: 0.5 % of the variables get a new value in one mode, 0.25 % are deleted and as many
// are created.
sp::VariableCollection changeOnePercent(const sp::VariableCollection &before)
{
    sp::VariableCollection after;
    after.name = before.name;
    after.modes = before.modes;
    after.variables.reserve(before.variables.size());
    for (int i = 0; i < int(before.variables.size()); ++i) {
        if (i % 400 == 7)
            continue; // deleted
        sp::Variable v = before.variables.at(i);
        if (i % 200 == 3)
            v.values[1] = sp::VariableValue::ofString(QStringLiteral("changed %1").arg(i));
        after.variables << v;
    }
    for (int i = 0; i < kVariables / 400; ++i) {
        sp::Variable v;
        v.name = QStringLiteral("new/token-%1").arg(i);
        v.type = sp::VariableType::Float;
        for (int m = 0; m < after.modes.size(); ++m)
            v.values << sp::VariableValue::ofNumber(i + m);
        after.variables << v;
    }
    return after;
}

const sp::VariableCollection &collection()
{
    static const sp::VariableCollection c = makeCollection();
    return c;
}

const sp::VariableCollection &changed()
{
    static const sp::VariableCollection c = changeOnePercent(collection());
    return c;
}

// A copy without the cached name index, as a freshly read or mapped collection arrives.
sp::VariableCollection fresh(const sp::VariableCollection &c)
{
    sp::VariableCollection out;
    out.name = c.name;
    out.modes = c.modes;
    out.variables = c.variables;
    return out;
}

void BM_DtcgWrite(benchmark::State &state)
{
    const sp::VariableCollection &c = collection();
    qsizetype bytes = 0;
    for (auto _ : state) {
        const QByteArray out = sp::DtcgFormat::write(fresh(c));
        bytes = out.size();
        benchmark::DoNotOptimize(out.constData());
    }
    state.SetItemsProcessed(state.iterations() * kVariables);
    state.SetBytesProcessed(state.iterations() * bytes);
    state.counters["file_MB"] = double(bytes) / 1e6;
}
BENCHMARK(BM_DtcgWrite)->Unit(benchmark::kMillisecond);

void BM_DtcgRead(benchmark::State &state)
{
    const QByteArray bytes = sp::DtcgFormat::write(collection());
    for (auto _ : state) {
        const sp::VariableCollection c = sp::DtcgFormat::read(bytes, QStringLiteral("bench.tokens.json"));
        benchmark::DoNotOptimize(c.variables.size());
    }
    state.SetItemsProcessed(state.iterations() * kVariables);
    state.SetBytesProcessed(state.iterations() * bytes.size());
}
BENCHMARK(BM_DtcgRead)->Unit(benchmark::kMillisecond);

// Cold: both name indexes are built inside the measurement, as on a real sync run.
void BM_DiffCollections(benchmark::State &state)
{
    const sp::VariableCollection &before = collection();
    const sp::VariableCollection &after = changed();
    int changes = 0;
    for (auto _ : state) {
        const sp::CollectionDiff d = sp::diffCollections(fresh(before), fresh(after));
        changes = int(d.changes.size());
        benchmark::DoNotOptimize(changes);
    }
    state.SetItemsProcessed(state.iterations() * kVariables);
    state.counters["changes"] = changes;
}
BENCHMARK(BM_DiffCollections)->Unit(benchmark::kMillisecond);

void BM_ApplyDiff(benchmark::State &state)
{
    const sp::VariableCollection &before = collection();
    const sp::CollectionDiff d = sp::diffCollections(before, changed());
    for (auto _ : state) {
        const sp::VariableCollection result = sp::applyDiff(before, d);
        benchmark::DoNotOptimize(result.variables.size());
    }
    state.SetItemsProcessed(state.iterations() * kVariables);
}
BENCHMARK(BM_ApplyDiff)->Unit(benchmark::kMillisecond);

// Hybrid mode's check: legacy's and sync's results compared name by name (cold indexes).
void BM_MismatchingVariables(benchmark::State &state)
{
    const sp::VariableCollection result = sp::applyDiff(collection(), sp::diffCollections(collection(), changed()));
    for (auto _ : state) {
        const QStringList names = sp::mismatchingVariables(fresh(changed()), fresh(result));
        benchmark::DoNotOptimize(names.size());
    }
    state.SetItemsProcessed(state.iterations() * kVariables);
}
BENCHMARK(BM_MismatchingVariables)->Unit(benchmark::kMillisecond);

} // namespace
