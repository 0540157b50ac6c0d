// Evaluation throughput (DESIGN.md §4: >= 20 million flag evaluations per second per core, 16-byte
// targeting keys, percentage flag). Every benchmark evaluates a batch of pre-generated keys per
// iteration and reports items_per_second = evaluations (or hashes) per second on one thread.
#include "flags/Evaluator.h"
#include "flags/Flag.h"
#include "flags/Murmur3.h"

#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::size_t kKeyLength = 16;
constexpr std::size_t kKeyCount = 4096; // 64 KiB of key bytes: stays in cache, defeats branch memorisation

// kKeyCount deterministic 16-byte alphanumeric targeting keys in one contiguous buffer.
class Keys
{
public:
    explicit Keys(std::size_t count = kKeyCount, std::uint32_t seed = 42)
    {
        static constexpr std::string_view alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
        std::mt19937 rng(seed);
        m_bytes.resize(count * kKeyLength);
        for (char &c : m_bytes)
            c = alphabet[rng() % alphabet.size()];
        for (std::size_t i = 0; i < count; ++i)
            m_views.emplace_back(m_bytes.data() + i * kKeyLength, kKeyLength);
    }
    const std::vector<std::string_view> &views() const { return m_views; }
    QStringList sample(std::size_t every) const
    {
        QStringList out;
        for (std::size_t i = 0; i < m_views.size(); i += every)
            out << QString::fromLatin1(m_views[i].data(), static_cast<qsizetype>(m_views[i].size()));
        return out;
    }

private:
    std::string m_bytes;
    std::vector<std::string_view> m_views;
};

sp::Flag percentageFlag(const QString &key, int percentTenths)
{
    sp::Flag f;
    f.key = key;
    f.enabled = true;
    f.percentTenths = percentTenths;
    return f;
}

void addFlag(sp::FlagSnapshot &s, const sp::Flag &f) { s.flags.insert(f.key, f); }

// Evaluates flagKey for every key, once per benchmark iteration.
void runEvaluations(benchmark::State &state, const sp::FlagSnapshot &snapshot, const QString &flagKey,
                    const sp::Attributes *attributes = nullptr)
{
    const Keys keys;
    const sp::Evaluator evaluator(snapshot);
    const int index = evaluator.indexOf(flagKey);
    if (index < 0) {
        state.SkipWithError("flag missing from the snapshot");
        return;
    }
    std::size_t on = 0;
    for (auto _ : state) {
        for (std::string_view key : keys.views()) {
            const sp::Decision d = evaluator.evaluate(index, sp::EvalContext{key, attributes});
            on += d.on;
        }
        benchmark::DoNotOptimize(on);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * keys.views().size()));
    state.counters["on_share"] = static_cast<double>(on) / static_cast<double>(state.iterations() * keys.views().size());
}

// The DESIGN.md §4 case: one enabled flag at a partial percentage, decided by the fractional split.
void BM_EvaluatePercentage(benchmark::State &state)
{
    sp::FlagSnapshot s;
    addFlag(s, percentageFlag(QStringLiteral("checkout.sync-v2"), 333));
    runEvaluations(state, s, QStringLiteral("checkout.sync-v2"));
}
BENCHMARK(BM_EvaluatePercentage);

// A prerequisite at 50 %: two hashes for the half of the keys that pass it.
void BM_EvaluateWithPrerequisite(benchmark::State &state)
{
    sp::FlagSnapshot s;
    addFlag(s, percentageFlag(QStringLiteral("sync.engine-v2"), 500));
    sp::Flag f = percentageFlag(QStringLiteral("checkout.sync-v2"), 333);
    f.prerequisites << QStringLiteral("sync.engine-v2");
    addFlag(s, f);
    runEvaluations(state, s, QStringLiteral("checkout.sync-v2"));
}
BENCHMARK(BM_EvaluateWithPrerequisite);

// An included key-list segment of 1 000 keys, 1 in 4 of the evaluated keys in it; the rest split.
void BM_EvaluateWithKeyListSegment(benchmark::State &state)
{
    const Keys keys;
    sp::FlagSnapshot s;
    sp::Segment beta;
    beta.name = QStringLiteral("beta-testers");
    beta.keys = keys.sample(4);
    for (int i = 0; beta.keys.size() < 1000; ++i)
        beta.keys << QStringLiteral("not-evaluated-%1").arg(i, 6, 10, QLatin1Char('0'));
    s.segments.insert(beta.name, beta);
    sp::Flag f = percentageFlag(QStringLiteral("checkout.sync-v2"), 333);
    f.includeSegments << beta.name;
    addFlag(s, f);
    runEvaluations(state, s, QStringLiteral("checkout.sync-v2"));
}
BENCHMARK(BM_EvaluateWithKeyListSegment);

// An excluded rule segment ("plan == enterprise" and "region in north,east") over a context with
// four attributes: every key goes through both rules, then the split.
void BM_EvaluateWithRuleSegment(benchmark::State &state)
{
    sp::FlagSnapshot s;
    sp::Segment seg;
    seg.name = QStringLiteral("north-enterprise");
    seg.rules << sp::FlagRules::parseRule(QStringLiteral("plan == enterprise"))
              << sp::FlagRules::parseRule(QStringLiteral("region in north,east"));
    s.segments.insert(seg.name, seg);
    sp::Flag f = percentageFlag(QStringLiteral("checkout.sync-v2"), 333);
    f.excludeSegments << seg.name;
    addFlag(s, f);
    const sp::Attributes attrs{{"plan", "pro"}, {"region", "north"}, {"email", "someone@example.org"}, {"client", "ios-17.1"}};
    runEvaluations(state, s, QStringLiteral("checkout.sync-v2"), &attrs);
}
BENCHMARK(BM_EvaluateWithRuleSegment);

// Looking the flag up by key on every call (what a caller without a cached index pays).
void BM_EvaluateByKey(benchmark::State &state)
{
    const Keys keys;
    sp::FlagSnapshot s;
    addFlag(s, percentageFlag(QStringLiteral("checkout.sync-v2"), 333));
    const sp::Evaluator evaluator(s);
    const QString flagKey = QStringLiteral("checkout.sync-v2");
    std::size_t on = 0;
    for (auto _ : state) {
        for (std::string_view key : keys.views())
            on += evaluator.evaluate(flagKey, sp::EvalContext{key, nullptr}).on;
        benchmark::DoNotOptimize(on);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * keys.views().size()));
}
BENCHMARK(BM_EvaluateByKey);

// Raw MurmurHash3 x86_32 over one buffer of N bytes (flagKey + targetingKey already joined).
void BM_Murmur3(benchmark::State &state)
{
    const auto length = static_cast<std::size_t>(state.range(0));
    const Keys keys(kKeyCount * kKeyLength / length + 1);
    std::string joined;
    for (std::string_view k : keys.views())
        joined += k;
    std::vector<std::string_view> inputs;
    for (std::size_t i = 0; i + length <= joined.size() && inputs.size() < kKeyCount; i += length)
        inputs.emplace_back(joined.data() + i, length);
    std::uint32_t acc = 0;
    for (auto _ : state) {
        for (std::string_view in : inputs)
            acc ^= sp::murmur3_32(in);
        benchmark::DoNotOptimize(acc);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * inputs.size()));
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * inputs.size() * length));
}
BENCHMARK(BM_Murmur3)->Arg(16)->Arg(32)->Arg(64);

// The two-part form evaluation uses: murmur3(flagKey, targetingKey) without joining them,
// 16-byte flag key + 16-byte targeting key.
void BM_Murmur3TwoPart(benchmark::State &state)
{
    const Keys keys;
    const std::string flagKey = "checkout.sync-v2";
    std::uint32_t acc = 0;
    for (auto _ : state) {
        for (std::string_view key : keys.views())
            acc ^= sp::murmur3_32(flagKey, key);
        benchmark::DoNotOptimize(acc);
    }
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * keys.views().size()));
}
BENCHMARK(BM_Murmur3TwoPart);

} // namespace
