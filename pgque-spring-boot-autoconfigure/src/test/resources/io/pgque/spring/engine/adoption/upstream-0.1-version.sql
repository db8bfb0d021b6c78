CREATE OR REPLACE FUNCTION pgque.version() RETURNS text LANGUAGE sql IMMUTABLE SECURITY DEFINER
SET search_path = pgque, pg_catalog AS $$ SELECT '0.1.0'::text $$;
