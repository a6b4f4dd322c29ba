-- rstscope → DuckDB: three questions a team with many sensors asks every night.
--
-- The queries read a table `resets` with one row per reset (the fields of
-- the report's resets, plus `capture`, `client` and `server`). Load it from
-- the CLI's rows, or from the Python package (README, "At scale"):
--
--   rstscope analyze /data/captures/ --format ndjson > resets.ndjson
--   CREATE TABLE resets AS SELECT * FROM read_ndjson_auto('resets.ndjson', sample_size = -1);
--
-- Times are seconds since the Unix epoch; days are UTC days. Each query
-- starts with a `-- name:` line (tests run them one by one).

-- name: resets_by_origin_and_cause_per_day
-- Who sent the resets, and why, day by day.
SELECT CAST(make_timestamp(CAST(time * 1e6 AS BIGINT)) AS DATE) AS day,
       origin,
       cause,
       count(*) AS resets
FROM resets
GROUP BY ALL
ORDER BY day, resets DESC, origin, cause;

-- name: top_forged_reset_paths
-- Resets forged by a device on the path (a censor, a firewall, a NAT), by
-- the path they cut: the client host and the server it was talking to.
-- The TTLs they arrived with tell how far away the device is.
SELECT regexp_replace(client, ':[0-9]+$', '') AS client_host,
       server,
       cause,
       count(*) AS forged_resets,
       count(DISTINCT capture) AS captures,
       min(ttl) AS min_ttl,
       max(ttl) AS max_ttl,
       make_timestamp(CAST(min(time) * 1e6 AS BIGINT)) AS first_seen,
       make_timestamp(CAST(max(time) * 1e6 AS BIGINT)) AS last_seen
FROM resets
WHERE origin = 'middlebox'
GROUP BY ALL
ORDER BY forged_resets DESC, client_host, server, cause
LIMIT 20;

-- name: idle_timeout_gaps_by_nat
-- NATs and firewalls that forgot idle connections: each one seen from one
-- sensor (the capture's directory) and at one distance (the TTL of the
-- resets it forged), with the idle gaps that preceded them. The shortest
-- gap is an upper bound of its timeout: keepalives must come more often.
WITH idle AS (
    SELECT regexp_replace(capture, '/[^/]*$', '') AS sensor,
           ttl,
           observed.idle_ns / 1e9 AS idle_s   -- the silence the device gave up on
    FROM resets
    WHERE origin = 'middlebox' AND cause = 'idle-timeout'
)
SELECT sensor,
       ttl AS nat_ttl,
       count(*) AS resets,
       round(min(idle_s), 1) AS shortest_idle_s,
       round(median(idle_s), 1) AS median_idle_s,
       round(max(idle_s), 1) AS longest_idle_s
FROM idle
GROUP BY ALL
ORDER BY resets DESC, sensor, nat_ttl;
