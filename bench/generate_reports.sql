-- :deals opportunities for the reports benchmark: spread over the reps
-- created by bench/reports (logins bench.rep.*), two sales teams, Odoo's
-- sources, expected closing dates (one in eight without) over the coming
-- year for open deals and within 15 days of closing for closed ones, and
-- 0 to 3 stage changes each (1.5 on average) tracked in their chatter the
-- way Odoo stores them (the third one moves back to the first stage), over
-- the last 18 months. One deal in seven is lost, one in ten
-- won.
\set ON_ERROR_STOP on
CREATE TEMP TABLE bench_stage AS
    SELECT id, row_number() OVER (ORDER BY sequence, id) - 1 AS pos, is_won
      FROM crm_stage WHERE team_id IS NULL ORDER BY sequence, id LIMIT 4;
CREATE TEMP TABLE bench_rep AS
    SELECT id, row_number() OVER (ORDER BY id) - 1 AS pos FROM res_users WHERE login LIKE 'bench.rep.%';
CREATE TEMP TABLE bench_team AS
    SELECT id, row_number() OVER (ORDER BY id) - 1 AS pos FROM crm_team ORDER BY id LIMIT 2;
CREATE TEMP TABLE bench_source AS
    SELECT id, row_number() OVER (ORDER BY id) - 1 AS pos FROM utm_source;

CREATE TEMP TABLE bench_lead AS
    SELECT g AS n, g % 4 AS changes,
           (now() AT TIME ZONE 'UTC') - interval '540 days' + (g % 500) * interval '1 day'
               + (g % 24) * interval '1 hour' AS created
      FROM generate_series(1, :deals) g;

INSERT INTO crm_lead (name, type, active, stage_id, expected_revenue, probability,
                      automated_probability, company_id, user_id, team_id, source_id,
                      date_deadline, create_date, write_date, date_last_stage_update,
                      date_closed, create_uid, write_uid)
SELECT 'Report deal ' || b.n, 'opportunity', (b.n % 7) <> 0,
       (SELECT id FROM bench_stage WHERE pos = CASE WHEN b.n % 10 = 3 THEN 3 ELSE b.changes % 3 END),
       1000 + (b.n % 50) * 100,
       CASE WHEN (b.n % 7) = 0 THEN 0 WHEN b.n % 10 = 3 THEN 100 ELSE 10 + (b.n % 80) END,
       CASE WHEN (b.n % 7) = 0 THEN 0 WHEN b.n % 10 = 3 THEN 100 ELSE 10 + (b.n % 80) END,
       1,
       (SELECT id FROM bench_rep WHERE pos = b.n % (SELECT count(*) FROM bench_rep)),
       (SELECT id FROM bench_team WHERE pos = b.n % 2),
       (SELECT id FROM bench_source WHERE pos = b.n % (SELECT count(*) FROM bench_source)),
       CASE WHEN b.n % 8 = 0 THEN NULL
            -- a closed deal was expected around the day it closed
            WHEN (b.n % 7) = 0 OR b.n % 10 = 3
            THEN (b.created + (b.changes + 1) * interval '9 days')::date + (b.n % 31) - 15
            ELSE (now() AT TIME ZONE 'UTC')::date + (b.n % 365) END,
       b.created, b.created, b.created + b.changes * interval '9 days',
       CASE WHEN (b.n % 7) = 0 OR b.n % 10 = 3 THEN b.created + (b.changes + 1) * interval '9 days' END,
       1, 1
  FROM bench_lead b;

CREATE TEMP TABLE bench_change AS
    SELECT l.id AS lead_id, c AS k,
           l.create_date + c * interval '9 days' AS at,
           (SELECT id FROM bench_stage WHERE pos = (c - 1) % 3) AS old_stage,
           (SELECT id FROM bench_stage
             WHERE pos = CASE WHEN c = b.changes AND b.n % 10 = 3 THEN 3 ELSE c % 3 END) AS new_stage
      FROM crm_lead l
      JOIN bench_lead b ON l.name = 'Report deal ' || b.n
      CROSS JOIN LATERAL generate_series(1, b.changes) c;

ALTER TABLE bench_change ADD COLUMN message_id int;
UPDATE bench_change SET message_id = nextval('mail_message_id_seq');
INSERT INTO mail_message (id, model, res_id, message_type, date, author_id, create_date, write_date, create_uid, write_uid)
SELECT message_id, 'crm.lead', lead_id, 'notification', at, 3, at, at, 1, 1 FROM bench_change;
INSERT INTO mail_tracking_value (mail_message_id, field_id, old_value_integer, new_value_integer,
                                 old_value_char, new_value_char, create_date, write_date, create_uid, write_uid)
SELECT c.message_id,
       (SELECT id FROM ir_model_fields WHERE model = 'crm.lead' AND name = 'stage_id'),
       c.old_stage, c.new_stage, 'old', 'new', c.at, c.at, 1, 1
  FROM bench_change c;
ANALYZE crm_lead; ANALYZE mail_message; ANALYZE mail_tracking_value;
