-- schemaverify shim of the pg_cron extension (not part of the embedded PostgreSQL build).
--
-- Jobs are recorded in cron.job like pg_cron does but never run: checking a
-- migration history needs the calls to succeed, not the jobs.  As in pg_cron,
-- scheduling an existing job name replaces it, and unscheduling an unknown job
-- is an error (a real deployment fails there too).  The objects always live in
-- schema cron, whatever schema CREATE EXTENSION names (Supabase uses pg_catalog).

CREATE SCHEMA cron;

CREATE TABLE cron.job (
    jobid bigserial PRIMARY KEY,
    schedule text NOT NULL,
    command text NOT NULL,
    nodename text NOT NULL DEFAULT 'localhost',
    nodeport integer NOT NULL DEFAULT 5432,
    database text NOT NULL DEFAULT pg_catalog.current_database(),
    username text NOT NULL DEFAULT CURRENT_USER,
    active boolean NOT NULL DEFAULT true,
    jobname text
);
CREATE UNIQUE INDEX jobname_username_uniq ON cron.job (jobname, username);

CREATE TABLE cron.job_run_details (
    jobid bigint,
    runid bigserial PRIMARY KEY,
    job_pid integer,
    database text,
    username text,
    command text,
    status text,
    return_message text,
    start_time timestamptz,
    end_time timestamptz
);

CREATE FUNCTION cron.schedule(schedule text, command text) RETURNS bigint
    LANGUAGE sql
    AS $$
    INSERT INTO cron.job (schedule, command) VALUES (schedule, command) RETURNING jobid
$$;

CREATE FUNCTION cron.schedule(job_name text, schedule text, command text) RETURNS bigint
    LANGUAGE sql
    AS $$
    INSERT INTO cron.job (jobname, schedule, command) VALUES (job_name, schedule, command)
    ON CONFLICT (jobname, username)
        DO UPDATE SET schedule = EXCLUDED.schedule, command = EXCLUDED.command
    RETURNING jobid
$$;

CREATE FUNCTION cron.schedule_in_database(
    job_name text, schedule text, command text, database text,
    username text DEFAULT NULL, active boolean DEFAULT true
) RETURNS bigint
    LANGUAGE sql
    AS $$
    INSERT INTO cron.job (jobname, schedule, command, database, username, active)
    VALUES (job_name, schedule, command, database, COALESCE(username, CURRENT_USER), active)
    ON CONFLICT (jobname, username)
        DO UPDATE SET schedule = EXCLUDED.schedule, command = EXCLUDED.command
    RETURNING jobid
$$;

CREATE FUNCTION cron.unschedule(job_id bigint) RETURNS boolean
    LANGUAGE plpgsql
    AS $$ BEGIN
    DELETE FROM cron.job WHERE jobid = job_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'could not find valid entry for job %', job_id;
    END IF;
    RETURN true;
END $$;

CREATE FUNCTION cron.unschedule(job_name text) RETURNS boolean
    LANGUAGE plpgsql
    AS $$ BEGIN
    DELETE FROM cron.job WHERE jobname = job_name AND username = CURRENT_USER;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'could not find valid entry for job ''%''', job_name;
    END IF;
    RETURN true;
END $$;

CREATE FUNCTION cron.alter_job(
    job_id bigint, schedule text DEFAULT NULL, command text DEFAULT NULL,
    database text DEFAULT NULL, username text DEFAULT NULL, active boolean DEFAULT NULL
) RETURNS void
    LANGUAGE plpgsql
    AS $$ BEGIN
    UPDATE cron.job AS j SET
        schedule = COALESCE(alter_job.schedule, j.schedule),
        command = COALESCE(alter_job.command, j.command),
        database = COALESCE(alter_job.database, j.database),
        username = COALESCE(alter_job.username, j.username),
        active = COALESCE(alter_job.active, j.active)
    WHERE j.jobid = job_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'could not find valid entry for job %', job_id;
    END IF;
END $$;

-- The script runs as the bootstrap superuser when a non-superuser creates the
-- (trusted) extension: the role that asked for it gets to use it, as with pg_cron.
GRANT USAGE ON SCHEMA cron TO @extowner@;
GRANT ALL ON ALL TABLES IN SCHEMA cron TO @extowner@;
GRANT ALL ON ALL SEQUENCES IN SCHEMA cron TO @extowner@;
