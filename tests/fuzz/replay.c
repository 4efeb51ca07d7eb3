/*
 * Replays a libFuzzer corpus without libFuzzer: every file named on the
 * command line (or every file in a directory named there) is passed to
 * LLVMFuzzerTestOneInput once.  Prints "ok - replay NAME" per input, so a
 * crash or a sanitizer report fails `make test`.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
replay_file(const char *path)
{
	FILE		*f;
	uint8_t		*p;
	long		 n;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return -1;
	}
	if ((p = malloc(n ? (size_t)n : 1)) == NULL ||
	    fread(p, 1, (size_t)n, f) != (size_t)n) {
		free(p);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(p, (size_t)n);
	free(p);
	printf("ok - replay %s\n", path);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct stat	 st;
	struct dirent	*de;
	DIR		*d;
	char		 path[4096];
	int		 i, rc = 0;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if ((d = opendir(argv[i])) == NULL)
				return 1;
			while ((de = readdir(d)) != NULL) {
				if (de->d_name[0] == '.')
					continue;
				snprintf(path, sizeof(path), "%s/%s", argv[i],
				    de->d_name);
				if (replay_file(path) == -1) {
					printf("not ok - replay %s\n", path);
					rc = 1;
				}
			}
			closedir(d);
		} else if (replay_file(argv[i]) == -1) {
			printf("not ok - replay %s\n", argv[i]);
			rc = 1;
		}
	}
	return rc;
}
