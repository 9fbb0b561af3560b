-- What about a meeting's recording makes its figures doubtful, stored with it so it is never
-- silent: nearly silent audio, a file shorter when decoded than it declares (truncated or
-- corrupt), almost no speech found (noise only). Empty when nothing was found.
alter table meetings add column audio_warnings varchar[];
