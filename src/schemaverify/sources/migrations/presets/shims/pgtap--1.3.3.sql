-- schemaverify shim of pgTAP (theory/pgtap; not part of the embedded PostgreSQL build).
--
-- Not pgTAP's code: an implementation, written for schemaverify from pgTAP's
-- documented signatures and output, of the part of it that Supabase projects'
-- migrations and database tests use.  The functions produce real TAP lines
-- ("ok 1 - ...", "not ok 2 - ..." followed by "# " diagnostics) and keep the
-- test count for the session: plan, no_plan, finish, diag, ok, is, isnt, pass,
-- fail, has_table, hasnt_table, has_column, col_type_is, col_not_null,
-- has_function, policies_are, results_eq, throws_ok, lives_ok, is_empty,
-- isnt_empty.  Every other pgTAP function is absent (calling one fails with
-- "function ... does not exist").  As in pgTAP, a two-argument call with two
-- string literals picks the (name, text) form: cast to name to mean a schema.

-- Session state: temporary tables, open to every role because tests switch roles
-- (SET LOCAL ROLE authenticated) between assertions.
CREATE FUNCTION _tap_init() RETURNS void
    LANGUAGE plpgsql VOLATILE
    AS $$ BEGIN
    IF pg_catalog.to_regclass('pg_temp.schemaverify_tap') IS NULL THEN
        CREATE TEMPORARY TABLE schemaverify_tap (n integer PRIMARY KEY, ok boolean NOT NULL, description text);
        CREATE TEMPORARY TABLE schemaverify_tap_plan (planned integer);
        GRANT ALL ON TABLE pg_temp.schemaverify_tap, pg_temp.schemaverify_tap_plan TO PUBLIC;
    END IF;
END $$;

CREATE FUNCTION diag(msg text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT '# ' || pg_catalog.replace(pg_catalog.replace(msg, E'\r\n', E'\n'), E'\n', E'\n# ') $$;

CREATE FUNCTION diag(msg anyelement) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT @extschema@.diag(msg::text) $$;

CREATE FUNCTION _tap_result(passed boolean, description text, diagnostics text) RETURNS text
    LANGUAGE plpgsql VOLATILE
    AS $$
DECLARE
    num integer;
    line text;
BEGIN
    PERFORM @extschema@._tap_init();
    SELECT COALESCE(pg_catalog.max(t.n), 0) + 1 INTO num FROM pg_temp.schemaverify_tap AS t;
    INSERT INTO pg_temp.schemaverify_tap (n, ok, description) VALUES (num, passed, description);
    line := CASE WHEN passed THEN 'ok ' ELSE 'not ok ' END || num
        || CASE WHEN COALESCE(description, '') <> ''
                THEN ' - ' || pg_catalog.replace(description, E'\n', E'\n# ') ELSE '' END;
    IF NOT passed THEN
        line := line || E'\n' || @extschema@.diag('Failed test ' || num
            || CASE WHEN COALESCE(description, '') <> '' THEN ': "' || description || '"' ELSE '' END);
        IF diagnostics IS NOT NULL THEN
            line := line || E'\n' || @extschema@.diag(diagnostics);
        END IF;
    END IF;
    RETURN line;
END $$;

-- A statement argument that is a single word names a prepared statement.
CREATE FUNCTION _tap_query(sql text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT
    AS $$ SELECT CASE WHEN sql ~ '^\s*\w+\s*$' THEN 'EXECUTE ' || sql ELSE sql END $$;

-- A type name as pg_catalog.format_type writes it, so 'int4' and 'integer' compare equal.
CREATE FUNCTION _tap_typename(typ text) RETURNS text
    LANGUAGE plpgsql STABLE
    AS $$ BEGIN
    RETURN COALESCE(pg_catalog.format_type(pg_catalog.to_regtype(typ), pg_catalog.to_regtypemod(typ)), typ);
EXCEPTION WHEN OTHERS THEN
    RETURN typ;
END $$;

-- planning ---------------------------------------------------------------------

CREATE FUNCTION plan(integer) RETURNS text
    LANGUAGE plpgsql VOLATILE
    AS $$ BEGIN
    PERFORM @extschema@._tap_init();
    IF EXISTS (SELECT FROM pg_temp.schemaverify_tap_plan) THEN
        RAISE EXCEPTION 'You tried to plan twice!';
    END IF;
    INSERT INTO pg_temp.schemaverify_tap_plan (planned) VALUES ($1);
    RETURN '1..' || $1;
END $$;

CREATE FUNCTION no_plan() RETURNS SETOF boolean
    LANGUAGE plpgsql VOLATILE
    AS $$ BEGIN
    PERFORM @extschema@._tap_init();
    IF NOT EXISTS (SELECT FROM pg_temp.schemaverify_tap_plan) THEN
        INSERT INTO pg_temp.schemaverify_tap_plan (planned) VALUES (NULL);
    END IF;
    RETURN;
END $$;

CREATE FUNCTION finish(exception_on_failure boolean DEFAULT NULL) RETURNS SETOF text
    LANGUAGE plpgsql VOLATILE
    AS $$
DECLARE
    planned integer;
    has_plan boolean;
    ran integer;
    failed integer;
BEGIN
    PERFORM @extschema@._tap_init();
    SELECT true, p.planned INTO has_plan, planned FROM pg_temp.schemaverify_tap_plan AS p;
    SELECT pg_catalog.count(*), pg_catalog.count(*) FILTER (WHERE NOT t.ok)
        INTO ran, failed FROM pg_temp.schemaverify_tap AS t;
    -- Emptied, not dropped: the role finishing may not be the one that planned.
    DELETE FROM pg_temp.schemaverify_tap;
    DELETE FROM pg_temp.schemaverify_tap_plan;
    IF NOT COALESCE(has_plan, false) AND ran = 0 THEN
        RETURN NEXT @extschema@.diag('No tests run!');
        RETURN;
    END IF;
    IF planned IS NULL THEN
        RETURN NEXT '1..' || ran;
    ELSIF planned <> ran THEN
        RETURN NEXT @extschema@.diag('Looks like you planned ' || planned || ' test'
            || CASE WHEN planned = 1 THEN '' ELSE 's' END || ' but ran ' || ran);
    END IF;
    IF failed > 0 THEN
        RETURN NEXT @extschema@.diag('Looks like you failed ' || failed || ' test'
            || CASE WHEN failed = 1 THEN '' ELSE 's' END || ' of ' || ran);
    END IF;
    IF exception_on_failure AND (failed > 0 OR planned <> ran) THEN
        RAISE EXCEPTION 'pgTAP: % of % tests failed (% planned)', failed, ran, COALESCE(planned::text, 'none');
    END IF;
END $$;

-- basic assertions -------------------------------------------------------------

CREATE FUNCTION ok(boolean, text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._tap_result(COALESCE($1, false), $2,
                 CASE WHEN $1 IS NULL THEN '    (test result was NULL)' END) $$;

CREATE FUNCTION ok(boolean) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@.ok($1, NULL) $$;

CREATE FUNCTION pass(text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@.ok(true, $1) $$;

CREATE FUNCTION pass() RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@.ok(true, NULL) $$;

CREATE FUNCTION fail(text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@.ok(false, $1) $$;

CREATE FUNCTION fail() RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@.ok(false, NULL) $$;

CREATE FUNCTION "is"(anyelement, anyelement, text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._tap_result($1 IS NOT DISTINCT FROM $2, $3,
                 '        have: ' || COALESCE($1::text, 'NULL')
                 || E'\n        want: ' || COALESCE($2::text, 'NULL')) $$;

CREATE FUNCTION "is"(anyelement, anyelement) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@."is"($1, $2, NULL) $$;

CREATE FUNCTION isnt(anyelement, anyelement, text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._tap_result($1 IS DISTINCT FROM $2, $3,
                 '        have: ' || COALESCE($1::text, 'NULL') || E'\n        want: anything else') $$;

CREATE FUNCTION isnt(anyelement, anyelement) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@.isnt($1, $2, NULL) $$;

-- schema assertions ------------------------------------------------------------

CREATE FUNCTION _tap_relation(sch name, rel name, kinds "char"[]) RETURNS oid
    LANGUAGE sql STABLE
    AS $$
    SELECT c.oid FROM pg_catalog.pg_class AS c
    JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
    WHERE c.relname = rel AND c.relkind = ANY (kinds)
      AND (CASE WHEN sch IS NULL THEN pg_catalog.pg_table_is_visible(c.oid) ELSE n.nspname = sch END)
    LIMIT 1
$$;

CREATE FUNCTION _tap_label(VARIADIC parts name[]) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT pg_catalog.string_agg(pg_catalog.quote_ident(p), '.' ORDER BY i)
    FROM pg_catalog.unnest(parts) WITH ORDINALITY AS u (p, i) WHERE p IS NOT NULL
$$;

CREATE FUNCTION has_table(name, name, text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@.ok(@extschema@._tap_relation($1, $2, '{r,p}') IS NOT NULL,
                 COALESCE($3, 'Table ' || @extschema@._tap_label($1, $2) || ' should exist')) $$;

CREATE FUNCTION has_table(name, name) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@.has_table($1, $2, NULL::text) $$;

CREATE FUNCTION has_table(name, text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@.has_table(NULL::name, $1, $2) $$;

CREATE FUNCTION has_table(name) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@.has_table(NULL::name, $1, NULL::text) $$;

CREATE FUNCTION hasnt_table(name, name, text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@.ok(@extschema@._tap_relation($1, $2, '{r,p}') IS NULL,
                 COALESCE($3, 'Table ' || @extschema@._tap_label($1, $2) || ' should not exist')) $$;

CREATE FUNCTION hasnt_table(name, name) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@.hasnt_table($1, $2, NULL::text) $$;

CREATE FUNCTION hasnt_table(name, text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@.hasnt_table(NULL::name, $1, $2) $$;

CREATE FUNCTION hasnt_table(name) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@.hasnt_table(NULL::name, $1, NULL::text) $$;

-- A live column of a table, view or foreign table (all NULL when there is none).
CREATE FUNCTION _tap_column(sch name, rel name, col name,
                            OUT found boolean, OUT type_name text, OUT not_null boolean)
    LANGUAGE sql STABLE
    AS $$
    SELECT true, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull
    FROM pg_catalog.pg_attribute AS a
    WHERE a.attrelid = @extschema@._tap_relation(sch, rel, '{r,p,v,m,f}')
      AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped
$$;

CREATE FUNCTION has_column(name, name, name, text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@.ok(COALESCE((@extschema@._tap_column($1, $2, $3)).found, false),
                 COALESCE($4, 'Column ' || @extschema@._tap_label($1, $2, $3) || ' should exist')) $$;

CREATE FUNCTION has_column(name, name, text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@.has_column(NULL::name, $1, $2, $3) $$;

CREATE FUNCTION has_column(name, name) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@.has_column(NULL::name, $1, $2, NULL::text) $$;

CREATE FUNCTION _tap_col_type_is(sch name, rel name, col name, want text, shown text, description text)
    RETURNS text
    LANGUAGE plpgsql VOLATILE
    AS $$
DECLARE
    att record := @extschema@._tap_column(sch, rel, col);
    descr text := COALESCE(description,
        'Column ' || @extschema@._tap_label(sch, rel, col) || ' should be type ' || shown);
BEGIN
    IF att.found IS NULL THEN
        RETURN @extschema@._tap_result(false, descr,
            '   Column ' || @extschema@._tap_label(sch, rel, col) || ' does not exist');
    END IF;
    RETURN @extschema@._tap_result(att.type_name = @extschema@._tap_typename(want), descr,
        '        have: ' || att.type_name || E'\n        want: ' || shown);
END $$;

CREATE FUNCTION col_type_is(name, name, name, name, text, text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._tap_col_type_is($1, $2, $3,
                 pg_catalog.quote_ident($4) || '.' || $5, $4 || '.' || $5, $6) $$;

CREATE FUNCTION col_type_is(name, name, name, text, text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._tap_col_type_is($1, $2, $3, $4, $4, $5) $$;

CREATE FUNCTION col_type_is(name, name, name, text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._tap_col_type_is($1, $2, $3, $4, $4, NULL) $$;

CREATE FUNCTION col_type_is(name, name, text, text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._tap_col_type_is(NULL, $1, $2, $3, $3, $4) $$;

CREATE FUNCTION col_type_is(name, name, text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._tap_col_type_is(NULL, $1, $2, $3, $3, NULL) $$;

CREATE FUNCTION _tap_col_not_null(sch name, rel name, col name, description text) RETURNS text
    LANGUAGE plpgsql VOLATILE
    AS $$
DECLARE
    att record := @extschema@._tap_column(sch, rel, col);
    descr text := COALESCE(description,
        'Column ' || @extschema@._tap_label(sch, rel, col) || ' should be NOT NULL');
BEGIN
    IF att.found IS NULL THEN
        RETURN @extschema@._tap_result(false, descr,
            '    Column ' || @extschema@._tap_label(sch, rel, col) || ' does not exist');
    END IF;
    RETURN @extschema@._tap_result(att.not_null, descr, NULL);
END $$;

CREATE FUNCTION col_not_null(name, name, name, text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._tap_col_not_null($1, $2, $3, $4) $$;

CREATE FUNCTION col_not_null(name, name, text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._tap_col_not_null(NULL, $1, $2, $3) $$;

CREATE FUNCTION col_not_null(name, name) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._tap_col_not_null(NULL, $1, $2, NULL) $$;

-- A function (or procedure, aggregate) by schema (NULL: visible), name and, when
-- given, exactly these argument types.
CREATE FUNCTION _tap_has_function(sch name, fn name, args name[], description text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$
    SELECT @extschema@.ok(EXISTS (
        SELECT FROM pg_catalog.pg_proc AS p
        JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace
        WHERE p.proname = fn
          AND (CASE WHEN sch IS NULL THEN pg_catalog.pg_function_is_visible(p.oid) ELSE n.nspname = sch END)
          AND (args IS NULL OR ARRAY(
                  SELECT pg_catalog.format_type(t, NULL)
                  FROM pg_catalog.unnest(p.proargtypes::oid[]) WITH ORDINALITY AS u (t, i) ORDER BY i)
              = ARRAY(
                  SELECT @extschema@._tap_typename(a)
                  FROM pg_catalog.unnest(args::text[]) WITH ORDINALITY AS u (a, i) ORDER BY i))
    ), COALESCE(description, 'Function ' || @extschema@._tap_label(sch, fn)
        || CASE WHEN args IS NULL THEN ''
                ELSE '(' || pg_catalog.array_to_string(args, ', ') || ')' END
        || ' should exist'))
$$;

CREATE FUNCTION has_function(name, name, name[], text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._tap_has_function($1, $2, $3, $4) $$;

CREATE FUNCTION has_function(name, name, name[]) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._tap_has_function($1, $2, $3, NULL) $$;

CREATE FUNCTION has_function(name, name, text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._tap_has_function($1, $2, NULL, $3) $$;

CREATE FUNCTION has_function(name, name) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._tap_has_function($1, $2, NULL, NULL) $$;

CREATE FUNCTION has_function(name, name[], text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._tap_has_function(NULL, $1, $2, $3) $$;

CREATE FUNCTION has_function(name, name[]) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._tap_has_function(NULL, $1, $2, NULL) $$;

CREATE FUNCTION has_function(name, text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._tap_has_function(NULL, $1, NULL, $2) $$;

CREATE FUNCTION has_function(name) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._tap_has_function(NULL, $1, NULL, NULL) $$;

CREATE FUNCTION _tap_policies_are(sch name, rel name, want name[], description text) RETURNS text
    LANGUAGE plpgsql VOLATILE
    AS $$
DECLARE
    have name[] := ARRAY(
        SELECT p.polname FROM pg_catalog.pg_policy AS p
        WHERE p.polrelid = @extschema@._tap_relation(sch, rel, '{r,p,v,m,f}'));
    extra text := (SELECT pg_catalog.string_agg(E'\n        ' || pg_catalog.quote_ident(x), '' ORDER BY x)
                   FROM pg_catalog.unnest(have) AS x WHERE x <> ALL (want));
    missing text := (SELECT pg_catalog.string_agg(E'\n        ' || pg_catalog.quote_ident(x), '' ORDER BY x)
                     FROM pg_catalog.unnest(want) AS x WHERE x <> ALL (have));
BEGIN
    RETURN @extschema@._tap_result(extra IS NULL AND missing IS NULL,
        COALESCE(description, 'Table ' || @extschema@._tap_label(sch, rel) || ' should have the correct policies'),
        NULLIF(pg_catalog.concat_ws(E'\n', '    Extra policies:' || extra, '    Missing policies:' || missing), ''));
END $$;

CREATE FUNCTION policies_are(name, name, name[], text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._tap_policies_are($1, $2, $3, $4) $$;

CREATE FUNCTION policies_are(name, name, name[]) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._tap_policies_are($1, $2, $3, NULL) $$;

CREATE FUNCTION policies_are(name, name[], text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._tap_policies_are(NULL, $1, $2, $3) $$;

CREATE FUNCTION policies_are(name, name[]) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._tap_policies_are(NULL, $1, $2, NULL) $$;

-- results ----------------------------------------------------------------------

CREATE FUNCTION results_eq(refcursor, refcursor, text) RETURNS text
    LANGUAGE plpgsql VOLATILE
    AS $$
DECLARE
    have record;
    want record;
    have_found boolean;
    want_found boolean;
    row_num integer := 0;
    differs boolean;
BEGIN
    LOOP
        row_num := row_num + 1;
        FETCH $1 INTO have;
        have_found := FOUND;
        FETCH $2 INTO want;
        want_found := FOUND;
        EXIT WHEN NOT have_found AND NOT want_found;
        BEGIN
            differs := CASE WHEN have_found <> want_found THEN true
                            ELSE have IS DISTINCT FROM want END;
        EXCEPTION WHEN datatype_mismatch THEN
            RETURN @extschema@._tap_result(false, $3,
                '    Number of columns or their types differ between the queries:'
                || E'\n        have: ' || COALESCE(have::text, 'NULL')
                || E'\n        want: ' || COALESCE(want::text, 'NULL'));
        END;
        IF differs THEN
            RETURN @extschema@._tap_result(false, $3,
                '    Results differ beginning at row ' || row_num || ':'
                || E'\n        have: ' || CASE WHEN have_found THEN have::text ELSE 'NULL' END
                || E'\n        want: ' || CASE WHEN want_found THEN want::text ELSE 'NULL' END);
        END IF;
    END LOOP;
    RETURN @extschema@._tap_result(true, $3, NULL);
END $$;

CREATE FUNCTION results_eq(refcursor, refcursor) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@.results_eq($1, $2, NULL::text) $$;

CREATE FUNCTION results_eq(text, text, text) RETURNS text
    LANGUAGE plpgsql VOLATILE
    AS $$
DECLARE
    have refcursor;
    want refcursor;
    result text;
BEGIN
    OPEN have FOR EXECUTE @extschema@._tap_query($1);
    OPEN want FOR EXECUTE @extschema@._tap_query($2);
    result := @extschema@.results_eq(have, want, $3);
    CLOSE have;
    CLOSE want;
    RETURN result;
END $$;

CREATE FUNCTION results_eq(text, text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@.results_eq($1, $2, NULL::text) $$;

CREATE FUNCTION results_eq(text, anyarray, text) RETURNS text
    LANGUAGE plpgsql VOLATILE
    AS $$
DECLARE
    have refcursor;
    want refcursor;
    result text;
BEGIN
    OPEN have FOR EXECUTE @extschema@._tap_query($1);
    OPEN want FOR SELECT v FROM pg_catalog.unnest($2) WITH ORDINALITY AS u (v, i) ORDER BY i;
    result := @extschema@.results_eq(have, want, $3);
    CLOSE have;
    CLOSE want;
    RETURN result;
END $$;

CREATE FUNCTION results_eq(text, anyarray) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@.results_eq($1, $2, NULL::text) $$;

CREATE FUNCTION _tap_is_empty(sql text, want_empty boolean, description text) RETURNS text
    LANGUAGE plpgsql VOLATILE
    AS $$
DECLARE
    cur refcursor;
    first_row record;
    any_row boolean;
BEGIN
    OPEN cur FOR EXECUTE @extschema@._tap_query(sql);
    FETCH cur INTO first_row;
    any_row := FOUND;
    CLOSE cur;
    IF want_empty THEN
        RETURN @extschema@._tap_result(NOT any_row, description,
            CASE WHEN any_row THEN '    Unexpected records:' || E'\n        ' || first_row::text END);
    END IF;
    RETURN @extschema@._tap_result(any_row, description, NULL);
END $$;

CREATE FUNCTION is_empty(text, text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._tap_is_empty($1, true, $2) $$;

CREATE FUNCTION is_empty(text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._tap_is_empty($1, true, NULL) $$;

CREATE FUNCTION isnt_empty(text, text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._tap_is_empty($1, false, $2) $$;

CREATE FUNCTION isnt_empty(text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@._tap_is_empty($1, false, NULL) $$;

-- exceptions -------------------------------------------------------------------

CREATE FUNCTION throws_ok(text, character(5), text, text) RETURNS text
    LANGUAGE plpgsql VOLATILE
    AS $$
DECLARE
    want_code text := NULLIF(pg_catalog.btrim($2), '');
    descr text := COALESCE($4, 'threw ' || COALESCE(want_code || ': ' || $3, want_code, $3, 'an exception'));
    got_code text;
    got_msg text;
BEGIN
    BEGIN
        EXECUTE @extschema@._tap_query($1);
    EXCEPTION WHEN OTHERS THEN
        got_code := SQLSTATE;
        got_msg := SQLERRM;
    END;
    IF got_code IS NULL THEN
        RETURN @extschema@._tap_result(false, descr,
            '      caught: no exception' || E'\n      wanted: ' || COALESCE(want_code, 'an exception'));
    END IF;
    RETURN @extschema@._tap_result(
        (want_code IS NULL OR got_code = want_code) AND ($3 IS NULL OR got_msg = $3), descr,
        '      caught: ' || got_code || ': ' || got_msg
        || E'\n      wanted: ' || COALESCE(want_code, 'an exception') || COALESCE(': ' || $3, ''));
END $$;

CREATE FUNCTION throws_ok(text, character(5), text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@.throws_ok($1, $2, $3, NULL::text) $$;

CREATE FUNCTION throws_ok(text, character(5)) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@.throws_ok($1, $2, NULL::text, NULL::text) $$;

-- With text arguments a five-character code of digits and capitals is an
-- SQLSTATE, anything else the expected message.
CREATE FUNCTION throws_ok(text, text, text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT CASE WHEN $2 ~ '^[0-9A-Z]{5}$'
        THEN @extschema@.throws_ok($1, $2::character(5), $3, NULL::text)
        ELSE @extschema@.throws_ok($1, NULL::character(5), $2, $3) END $$;

CREATE FUNCTION throws_ok(text, text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT CASE WHEN $2 ~ '^[0-9A-Z]{5}$'
        THEN @extschema@.throws_ok($1, $2::character(5), NULL::text, NULL::text)
        ELSE @extschema@.throws_ok($1, NULL::character(5), $2, NULL::text) END $$;

CREATE FUNCTION throws_ok(text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@.throws_ok($1, NULL::character(5), NULL::text, NULL::text) $$;

CREATE FUNCTION throws_ok(text, integer, text, text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@.throws_ok($1, pg_catalog.lpad($2::text, 5, '0')::character(5), $3, $4) $$;

CREATE FUNCTION throws_ok(text, integer, text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@.throws_ok($1, pg_catalog.lpad($2::text, 5, '0')::character(5), $3, NULL::text) $$;

CREATE FUNCTION throws_ok(text, integer) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@.throws_ok($1, pg_catalog.lpad($2::text, 5, '0')::character(5), NULL::text, NULL::text) $$;

CREATE FUNCTION lives_ok(text, text) RETURNS text
    LANGUAGE plpgsql VOLATILE
    AS $$
DECLARE
    died text;
BEGIN
    BEGIN
        EXECUTE @extschema@._tap_query($1);
    EXCEPTION WHEN OTHERS THEN
        died := SQLSTATE || ': ' || SQLERRM;
    END;
    RETURN @extschema@._tap_result(died IS NULL, $2, '        died: ' || died);
END $$;

CREATE FUNCTION lives_ok(text) RETURNS text
    LANGUAGE sql VOLATILE
    AS $$ SELECT @extschema@.lives_ok($1, NULL::text) $$;
