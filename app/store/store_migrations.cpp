// The run store's migrations: each version appends one entry, and migrations only ever go forward.
#include "app/store/store_migrations.h"

#include "app/store/run_store.h"

#include <iterator>

namespace ffint8 {

namespace {

// Version 0 -> 1.
const char *const kMigrations[] = {
    R"(CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        spec_json TEXT NOT NULL,
        status TEXT NOT NULL,
        algorithm TEXT NOT NULL,
        dataset TEXT NOT NULL,
        backend TEXT NOT NULL,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        message TEXT NOT NULL DEFAULT '');
    CREATE TABLE epoch_metrics (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL,
        train_loss REAL, test_acc REAL, val_acc REAL, seconds REAL, eval_seconds REAL,
        samples_per_s REAL, lambda REAL, peak_engine_bytes INTEGER, energy_j REAL, mean_power_w REAL,
        PRIMARY KEY (run_id, epoch));
    CREATE TABLE layer_metrics (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL,
        layer INTEGER NOT NULL,
        g_pos REAL, g_neg REAL, loss REAL, grad_norm REAL, deviation REAL,
        PRIMARY KEY (run_id, epoch, layer));
    CREATE TABLE tags (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (run_id, tag));
    CREATE TABLE notes (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        text TEXT NOT NULL);
    CREATE INDEX runs_by_status ON runs(status);)",
    // 1 -> 2: power samples with their source, and epoch boundaries on the same monotonic clock.
    R"(ALTER TABLE runs ADD COLUMN power_source TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN power_interval_ms INTEGER;
    ALTER TABLE epoch_metrics ADD COLUMN t_start REAL;
    ALTER TABLE epoch_metrics ADD COLUMN t_end REAL;
    CREATE TABLE samples (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        t REAL NOT NULL,
        board_w REAL NOT NULL);
    CREATE INDEX samples_by_run ON samples(run_id, t);)",
    // 2 -> 3: suites, results on the run row (tables and filters without scanning epochs), the
    // run's settings as parameters, and per-step progress for a finished run's plots.
    R"(ALTER TABLE runs ADD COLUMN suite TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN seed INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE runs ADD COLUMN device TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN versions TEXT NOT NULL DEFAULT '{}';
    ALTER TABLE runs ADD COLUMN epochs_done INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE runs ADD COLUMN test_acc REAL;
    ALTER TABLE runs ADD COLUMN val_acc REAL;
    ALTER TABLE runs ADD COLUMN train_seconds REAL;
    ALTER TABLE runs ADD COLUMN total_seconds REAL;
    ALTER TABLE runs ADD COLUMN energy_j REAL;
    ALTER TABLE runs ADD COLUMN peak_engine_bytes INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE runs ADD COLUMN peak_rss_bytes INTEGER NOT NULL DEFAULT 0;
    UPDATE runs SET epochs_done = (SELECT COUNT(*) FROM epoch_metrics e WHERE e.run_id = runs.id),
        test_acc = (SELECT test_acc FROM epoch_metrics e WHERE e.run_id = runs.id ORDER BY epoch DESC LIMIT 1),
        train_seconds = (SELECT SUM(seconds) FROM epoch_metrics e WHERE e.run_id = runs.id),
        peak_engine_bytes = COALESCE((SELECT MAX(peak_engine_bytes) FROM epoch_metrics e WHERE e.run_id = runs.id), 0);
    CREATE TABLE params (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (run_id, key)) WITHOUT ROWID;
    CREATE TABLE progress (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step INTEGER NOT NULL,
        epoch INTEGER NOT NULL,
        batch INTEGER NOT NULL,
        batches INTEGER NOT NULL,
        elapsed_s REAL, train_loss REAL, samples_per_s REAL,
        PRIMARY KEY (run_id, step)) WITHOUT ROWID;
    CREATE TABLE progress_layers (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step INTEGER NOT NULL,
        layer INTEGER NOT NULL,
        g_pos REAL, g_neg REAL, loss REAL, grad_norm REAL, deviation REAL,
        PRIMARY KEY (run_id, step, layer)) WITHOUT ROWID;
    CREATE INDEX runs_by_started ON runs(started_at);
    CREATE INDEX runs_by_suite ON runs(suite);)",
    // 3 -> 4: per-unit metrics in long form, by unit and metric name, so that a network of 20 or 200
    // units, or a trainer with other figures, needs no new columns. NaN is not stored; separation
    // (goodness_pos - goodness_neg) is derived when read. The old layer rows move over: layer i of
    // an MLP run becomes the mlp preset's block "fc<i+1>" (a BP run's layer after its hidden ones,
    // its head, "head"), as trainers name them now; of any other run "layer<i+1>". Rows of runs
    // that no longer exist (left by a shell with foreign keys off) go with the old tables.
    R"(CREATE TABLE run_units (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        unit_index INTEGER NOT NULL,
        name TEXT NOT NULL,
        PRIMARY KEY (run_id, unit_index)) WITHOUT ROWID;
    CREATE TABLE unit_metrics (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL,
        unit_index INTEGER NOT NULL,
        metric TEXT NOT NULL,
        value REAL NOT NULL,
        PRIMARY KEY (run_id, epoch, unit_index, metric)) WITHOUT ROWID;
    CREATE TABLE progress_units (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        step INTEGER NOT NULL,
        unit_index INTEGER NOT NULL,
        metric TEXT NOT NULL,
        value REAL NOT NULL,
        PRIMARY KEY (run_id, step, unit_index, metric)) WITHOUT ROWID;
    INSERT INTO run_units (run_id, unit_index, name)
        SELECT u.run_id, u.layer,
            CASE WHEN COALESCE(preset.value, '') NOT IN ('', 'mlp') OR widths.value IS NULL THEN 'layer' || (u.layer + 1)
                 WHEN u.layer < length(widths.value) - length(replace(widths.value, ',', '')) THEN 'fc' || (u.layer + 1)
                 WHEN u.layer = length(widths.value) - length(replace(widths.value, ',', ''))
                      AND r.algorithm LIKE 'bp-%' THEN 'head'
                 ELSE 'layer' || (u.layer + 1) END
        FROM (SELECT run_id, layer FROM layer_metrics UNION SELECT run_id, layer FROM progress_layers) u
        JOIN runs r ON r.id = u.run_id
        LEFT JOIN params widths ON widths.run_id = u.run_id AND widths.key = 'model.layers'
        LEFT JOIN params preset ON preset.run_id = u.run_id AND preset.key = 'model.preset';
    INSERT INTO unit_metrics (run_id, epoch, unit_index, metric, value)
        SELECT * FROM (
            SELECT run_id, epoch, layer, 'goodness_pos', g_pos FROM layer_metrics WHERE g_pos IS NOT NULL
            UNION ALL SELECT run_id, epoch, layer, 'goodness_neg', g_neg FROM layer_metrics WHERE g_neg IS NOT NULL
            UNION ALL SELECT run_id, epoch, layer, 'loss', loss FROM layer_metrics WHERE loss IS NOT NULL
            UNION ALL SELECT run_id, epoch, layer, 'grad_norm', grad_norm FROM layer_metrics WHERE grad_norm IS NOT NULL
            UNION ALL SELECT run_id, epoch, layer, 'deviation', deviation FROM layer_metrics WHERE deviation IS NOT NULL) AS unit_rows
        WHERE run_id IN (SELECT id FROM runs);
    INSERT INTO progress_units (run_id, step, unit_index, metric, value)
        SELECT * FROM (
            SELECT run_id, step, layer, 'goodness_pos', g_pos FROM progress_layers WHERE g_pos IS NOT NULL
            UNION ALL SELECT run_id, step, layer, 'goodness_neg', g_neg FROM progress_layers WHERE g_neg IS NOT NULL
            UNION ALL SELECT run_id, step, layer, 'loss', loss FROM progress_layers WHERE loss IS NOT NULL
            UNION ALL SELECT run_id, step, layer, 'grad_norm', grad_norm FROM progress_layers WHERE grad_norm IS NOT NULL
            UNION ALL SELECT run_id, step, layer, 'deviation', deviation FROM progress_layers WHERE deviation IS NOT NULL) AS unit_rows
        WHERE run_id IN (SELECT id FROM runs);
    DROP TABLE layer_metrics;
    DROP TABLE progress_layers;)",
    // 4 -> 5: the time to a target accuracy beside the time for all epochs. The target (a fraction,
    // as test_acc; NULL: none), the first epoch that reached it and the training seconds up to that
    // epoch's end (NULL: not reached). Older runs had no target, so theirs stay NULL.
    R"(ALTER TABLE runs ADD COLUMN target_acc REAL;
    ALTER TABLE runs ADD COLUMN target_epoch INTEGER;
    ALTER TABLE runs ADD COLUMN target_seconds REAL;)",
    // 5 -> 6: stores shared by many boards. Each run's UUID, made when it starts, identifies it
    // across stores (a run copied twice into a shared store is copied once); RunStore gives the
    // runs already recorded theirs right after this step. The board that trained it (its host
    // name unless named). The work queue (work_queue.h): runs waiting for a board, the board that
    // claimed each, its last heartbeat (seconds on the database's clock, so that boards' clocks
    // need not agree) and the run of its latest attempt.
    R"(ALTER TABLE runs ADD COLUMN uuid TEXT;
    ALTER TABLE runs ADD COLUMN board TEXT NOT NULL DEFAULT '';
    UPDATE runs SET board = host;
    CREATE UNIQUE INDEX runs_by_uuid ON runs(uuid);
    CREATE INDEX runs_by_board ON runs(board);
    CREATE TABLE queue (
        id INTEGER PRIMARY KEY,
        suite TEXT NOT NULL DEFAULT '',
        name TEXT NOT NULL,
        spec_json TEXT NOT NULL,
        requires_backend TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL DEFAULT 'queued',
        enqueued_at TEXT NOT NULL,
        worker TEXT NOT NULL DEFAULT '',
        claimed_at TEXT,
        heartbeat_s REAL,
        run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        message TEXT NOT NULL DEFAULT '');
    CREATE INDEX queue_by_state ON queue(state, id);)",
};
static_assert(std::size(kMigrations) == kStoreSchemaVersion, "one migration per schema version");

} // namespace

const char *storeMigration(int from)
{
    return kMigrations[from];
}

} // namespace ffint8
