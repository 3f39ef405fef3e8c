-- N opportunities in Odoo's four default stages, each with :changes stage
-- changes tracked in its chatter (the way Odoo stores them), spread over
-- the last 18 months, and with :extra_every set (default 0: none), one deal
-- in :extra_every with one change more. Some deals end lost (archived at
-- probability 0).
\set ON_ERROR_STOP on
\if :{?extra_every}
\else
\set extra_every 0
\endif
CREATE TEMP TABLE bench_stage AS
    SELECT id, row_number() OVER (ORDER BY sequence, id) - 1 AS pos
      FROM crm_stage ORDER BY sequence, id LIMIT 4;

CREATE TEMP TABLE bench_lead AS
    SELECT g AS n,
           (now() AT TIME ZONE 'UTC') - interval '540 days' + (g % 500) * interval '1 day' AS created
      FROM generate_series(1, :deals) g;

INSERT INTO crm_lead (name, type, active, stage_id, expected_revenue, probability,
                      automated_probability, company_id, user_id, team_id,
                      create_date, write_date, date_last_stage_update, create_uid, write_uid)
SELECT 'Bench deal ' || b.n, 'opportunity', (b.n % 7) <> 0,
       (SELECT id FROM bench_stage WHERE pos = (b.n + :changes) % 3),
       1000 + (b.n % 50) * 100,
       CASE WHEN (b.n % 7) = 0 THEN 0 ELSE 10 + (b.n % 80) END,
       CASE WHEN (b.n % 7) = 0 THEN 0 ELSE 10 + (b.n % 80) END,
       1, 2, (SELECT id FROM crm_team ORDER BY id LIMIT 1),
       b.created, b.created, b.created + :changes * interval '1 day', 1, 1
  FROM bench_lead b;

CREATE TEMP TABLE bench_change AS
    SELECT l.id AS lead_id, c AS k,
           l.create_date + c * interval '1 day' AS at,
           (SELECT id FROM bench_stage WHERE pos = (l.id + c - 1) % 3) AS old_stage,
           (SELECT id FROM bench_stage WHERE pos = (l.id + c) % 3) AS new_stage
      FROM crm_lead l,
           generate_series(1, :changes + CASE WHEN :extra_every > 0 AND l.id % :extra_every = 0
                                             THEN 1 ELSE 0 END) c
     WHERE l.name LIKE 'Bench deal %';

-- final stage consistent with the last tracked change
UPDATE crm_lead l SET stage_id = c.new_stage, date_last_stage_update = c.at
  FROM (SELECT DISTINCT ON (lead_id) lead_id, new_stage, at
          FROM bench_change ORDER BY lead_id, k DESC) c
 WHERE c.lead_id = l.id;

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
