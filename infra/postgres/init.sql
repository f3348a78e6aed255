-- One database per service (ARCHITECTURE.md: each service owns its data). Run once by
-- the postgres image's entrypoint on an empty data directory (docker-compose.yml mounts
-- this file into /docker-entrypoint-initdb.d); schemas come from each service's TypeORM
-- migrations at start-up, never from here.
--
-- Databases only, no per-service roles: the compose stack is a local development
-- environment. Production databases (and their credentials) are provisioned by the
-- platform, see k8s/README.md.
CREATE DATABASE auth;
CREATE DATABASE profile;
CREATE DATABASE friends;
CREATE DATABASE messenger;
