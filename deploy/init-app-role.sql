-- The application role: owns nothing, cannot bypass row-level security.
CREATE ROLE surety_app LOGIN PASSWORD 'app-password-change-me' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
