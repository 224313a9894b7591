/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the script interpreter and everything it drives:
 * the input is a script (after a fixed small `boot` line), run to its end
 * with `check` appended; inputs of odd length also go through the HTML
 * report (script/report.c), which samples procfs after every command.
 * Any crash, sanitizer report or verifier failure (exit status 3 of the
 * run) is a finding; script errors and errno results are normal. Build and run with `make fuzz` (clang, libFuzzer, ASan and
 * UBSan); the corpus starts from tests/scripts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mmkit/script.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char head[] = "boot mem=64M cpus=2\n";
	static const char tail[] = "\ncheck\n";
	static FILE *devnull;
	char *text;
	size_t i;
	int status;

	if (size > 8192)
		return 0;
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	text = malloc(sizeof(head) + size + sizeof(tail));
	if (!text || !devnull)
		abort();
	memcpy(text, head, sizeof(head) - 1);
	for (i = 0; i < size; i++)
		text[sizeof(head) - 1 + i] = data[i] ? (char)data[i] : '\n';
	memcpy(text + sizeof(head) - 1 + size, tail, sizeof(tail));
	if (size & 1)
		status = mmk_script_run_report(NULL, text, "fuzz", devnull,
					       devnull, 0, devnull);
	else
		status = mmk_script_run_string(text, "fuzz", devnull, devnull,
					       0);
	free(text);
	if (status == MMK_SCRIPT_CHECK_FAILED)
		abort();
	return 0;
}
