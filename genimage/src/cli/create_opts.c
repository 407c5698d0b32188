// SPDX-License-Identifier: MIT
#include "cli/create_opts.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "crypto/randsrc.h"
#include "format/sehdr.h"

enum {
	OPT_NO_VERIFY = 0x100,
	OPT_CRL,
	OPT_ROOT_CA,
	OPT_OFFLINE,
	OPT_CCK,
	OPT_HDR_KEY,
	OPT_IMAGE_KEY,
	OPT_ENABLE_DUMP,
	OPT_DISABLE_DUMP,
	OPT_ENABLE_CCK_EXT,
	OPT_DISABLE_CCK_EXT,
	OPT_ENABLE_CCK_UPDATE,
	OPT_DISABLE_CCK_UPDATE,
	OPT_ENABLE_PCKMO,
	OPT_DISABLE_PCKMO,
	OPT_ENABLE_PCKMO_HMAC,
	OPT_DISABLE_PCKMO_HMAC,
	OPT_ENABLE_BACKUP_KEYS,
	OPT_DISABLE_BACKUP_KEYS,
	OPT_ENABLE_IMAGE_ENC,
	OPT_DISABLE_IMAGE_ENC,
	OPT_X_PCF,
	OPT_X_PSW,
	OPT_X_SCF,
	OPT_X_SEED,
	OPT_X_BOOTLOADER_DIR,
	OPT_X_INFLATE,
	OPT_NO_COMPONENT_CHECK,
	OPT_OVERWRITE,
	OPT_VERSION,
	OPT_RAMDISK_DIR,
	OPT_HELP_EXPERIMENTAL,
	OPT_HELP_ALL,
};

static const struct option long_options[] = {
	{ "image", required_argument, NULL, 'i' },
	{ "kernel", required_argument, NULL, 'i' },
	{ "ramdisk", required_argument, NULL, 'r' },
	{ "ramdisk-dir", required_argument, NULL, OPT_RAMDISK_DIR },
	{ "parmfile", required_argument, NULL, 'p' },
	{ "host-key-document", required_argument, NULL, 'k' },
	{ "output", required_argument, NULL, 'o' },
	{ "cert", required_argument, NULL, 'C' },
	{ "crt", required_argument, NULL, 'C' },
	{ "crl", required_argument, NULL, OPT_CRL },
	{ "root-ca", required_argument, NULL, OPT_ROOT_CA },
	{ "offline", no_argument, NULL, OPT_OFFLINE },
	{ "no-verify", no_argument, NULL, OPT_NO_VERIFY },
	{ "cck", required_argument, NULL, OPT_CCK },
	{ "comm-key", required_argument, NULL, OPT_CCK },
	{ "hdr-key", required_argument, NULL, OPT_HDR_KEY },
	{ "x-header-key", required_argument, NULL, OPT_HDR_KEY },
	{ "image-key", required_argument, NULL, OPT_IMAGE_KEY },
	{ "x-comp-key", required_argument, NULL, OPT_IMAGE_KEY },
	{ "enable-dump", no_argument, NULL, OPT_ENABLE_DUMP },
	{ "disable-dump", no_argument, NULL, OPT_DISABLE_DUMP },
	{ "enable-cck-extension-secret", no_argument, NULL, OPT_ENABLE_CCK_EXT },
	{ "disable-cck-extension-secret", no_argument, NULL, OPT_DISABLE_CCK_EXT },
	{ "enable-cck-update", no_argument, NULL, OPT_ENABLE_CCK_UPDATE },
	{ "disable-cck-update", no_argument, NULL, OPT_DISABLE_CCK_UPDATE },
	{ "enable-pckmo", no_argument, NULL, OPT_ENABLE_PCKMO },
	{ "disable-pckmo", no_argument, NULL, OPT_DISABLE_PCKMO },
	{ "enable-pckmo-hmac", no_argument, NULL, OPT_ENABLE_PCKMO_HMAC },
	{ "disable-pckmo-hmac", no_argument, NULL, OPT_DISABLE_PCKMO_HMAC },
	{ "enable-backup-keys", no_argument, NULL, OPT_ENABLE_BACKUP_KEYS },
	{ "disable-backup-keys", no_argument, NULL, OPT_DISABLE_BACKUP_KEYS },
	{ "enable-image-encryption", no_argument, NULL, OPT_ENABLE_IMAGE_ENC },
	{ "disable-image-encryption", no_argument, NULL, OPT_DISABLE_IMAGE_ENC },
	{ "x-pcf", required_argument, NULL, OPT_X_PCF },
	{ "x-psw", required_argument, NULL, OPT_X_PSW },
	{ "x-scf", required_argument, NULL, OPT_X_SCF },
	{ "x-seed", required_argument, NULL, OPT_X_SEED },
	{ "x-bootloader-directory", required_argument, NULL, OPT_X_BOOTLOADER_DIR },
	{ "x-inflate", required_argument, NULL, OPT_X_INFLATE },
	{ "no-component-check", no_argument, NULL, OPT_NO_COMPONENT_CHECK },
	{ "overwrite", no_argument, NULL, OPT_OVERWRITE },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, 'h' },
	{ "help-experimental", no_argument, NULL, OPT_HELP_EXPERIMENTAL },
	{ "help-all", no_argument, NULL, OPT_HELP_ALL },
	{ NULL, 0, NULL, 0 },
};

static void usage_usual(FILE *out)
{
	fputs("Components:\n"
	      "  -i, --image, --kernel FILE  raw s390x Linux kernel image (not ELF)\n"
	      "  -r, --ramdisk FILE          initial RAM disk\n"
	      "      --ramdisk-dir DIR       build the initial RAM disk from DIR: newc cpio,\n"
	      "                              gzip, reproducible (times: SOURCE_DATE_EPOCH or 0)\n"
	      "  -p, --parmfile FILE         kernel command line\n"
	      "  -o, --output FILE           the image to write\n"
	      "\n"
	      "Host keys and their verification (FILEs may also be given comma-separated):\n"
	      "  -k, --host-key-document FILE  HKD (PEM or DER), once per host, 1 to 95\n"
	      "  -C, --cert, --crt FILE      IBM Z signing key and intermediate CA certificates\n"
	      "      --crl FILE              certificate revocation list (repeatable)\n"
	      "      --root-ca FILE          root CA to trust instead of the system store\n"
	      "      --offline               never download CRLs\n"
	      "      --no-verify             do not verify the HKDs (INSECURE, for tests)\n"
	      "\n"
	      "Keys (random unless given):\n"
	      "      --cck, --comm-key FILE  customer communication key, 32 bytes\n"
	      "      --hdr-key, --x-header-key FILE  header protection key, 32 bytes\n"
	      "      --image-key, --x-comp-key FILE  image encryption key (AES-XTS), 64 bytes\n"
	      "\n"
	      "Header flags, [default]:\n"
	      "      --enable-dump, --disable-dump  guest dumps; enabling needs --cck or\n"
	      "                             --enable-cck-update [off]\n"
	      "      --enable-cck-extension-secret, --disable-cck-extension-secret\n"
	      "                             add-secret requests need the CCK extension secret;\n"
	      "                             needs --cck, not with --enable-cck-update [off]\n"
	      "      --enable-cck-update, --disable-cck-update  CCK update [off]\n"
	      "      --enable-pckmo, --disable-pckmo  PCKMO DEA/TDEA, AES and ECC keys [on]\n"
	      "      --enable-pckmo-hmac, --disable-pckmo-hmac  PCKMO HMAC key encryption [off]\n"
	      "      --enable-backup-keys, --disable-backup-keys  backup target keys [off]\n"
	      "      --enable-image-encryption, --disable-image-encryption\n"
	      "                             encrypt the components [on]\n"
	      "\n"
	      "Other:\n"
	      "      --no-component-check   skip the kernel, command-line and ramdisk checks;\n"
	      "                             stage-b then starts any payload (no S390EP check)\n"
	      "      --overwrite            replace an existing OUTPUT (a regular file, or a\n"
	      "                             link to one, written through; never an input)\n"
	      "  -v, --verbose              more output (repeat for more)\n"
	      "  -q, --quiet                only errors: no summary, progress or warnings\n"
	      "      --version              print the version\n"
	      "  -h, --help                 this help\n"
	      "      --help-experimental    the experimental options\n"
	      "      --help-all             every option\n",
	      out);
}

static void usage_experimental(FILE *out)
{
	fputs("Experimental options (for tests and development, not for production):\n"
	      "      --x-pcf VALUE          set the plaintext control flags directly\n"
	      "      --x-scf VALUE          set the secret control flags directly\n"
	      "      --x-psw ADDRESS        start the placed payload at ADDRESS (hexadecimal,\n"
	      "                             even, inside it; default 0x10000)\n"
	      "      --x-seed HEX           derive every random value from HEX: reproducible,\n"
	      "                             NOT SECRET, for tests only (docs/x-seed.md)\n"
	      "      --x-bootloader-directory DIR  use DIR/stage-a.bin and DIR/stage-b.bin\n"
	      "      --x-inflate isal|zlib  inflater of the ramdisk check's gzip parts\n"
	      "                             (default: isal when built with ISA-L)\n",
	      out);
}

void create_opts_usage(FILE *out, const char *prog, enum create_help which)
{
	fprintf(out,
		"Usage: %s -i KERNEL -k HKD... -o OUTPUT (--no-verify | -C CERT...) [OPTION]...\n"
		"Create an IBM Z Secure Execution image: KERNEL, RAMDISK and the command line\n"
		"encrypted for the hosts whose host-key documents (HKD) are given.\n"
		"\n",
		prog);
	if (which != HELP_EXPERIMENTAL)
		usage_usual(out);
	if (which == HELP_ALL)
		fputc('\n', out);
	if (which == HELP_EXPERIMENTAL || which == HELP_ALL)
		usage_experimental(out);
	fputs("\nExit status: 0 success, 1 error, 2 usage error.\n", out);
}

static int parse_u64(const char *opt, const char *arg, uint64_t *ret, struct errinfo *err)
{
	char *end;

	errno = 0;
	*ret = strtoull(arg, &end, 0);
	if (errno || end == arg || *end || arg[0] == '-')
		return err_set(err, -EINVAL, "%s: '%s' is not a number", opt, arg);
	return 0;
}

/* IBM's spelling of an address: hexadecimal, with or without 0x, at most 16 digits. */
static int parse_hex_addr(const char *opt, const char *arg, uint64_t *ret, struct errinfo *err)
{
	const char *digits = strncmp(arg, "0x", 2) && strncmp(arg, "0X", 2) ? arg : arg + 2;
	char *end;

	errno = 0;
	*ret = strtoull(digits, &end, 16);
	if (errno || end == digits || *end || !isxdigit((unsigned char)digits[0]) ||
	    strlen(digits) > 16)
		return err_set(err, -EINVAL, "%s: '%s' is not a hexadecimal address", opt, arg);
	return 0;
}

static int set_tristate(enum tristate *flag, enum tristate value, const char *name,
			struct errinfo *err)
{
	if (*flag != FLAG_UNSET && *flag != value)
		return err_set(err, -EINVAL, "--enable-%s and --disable-%s exclude each other",
			       name, name);
	*flag = value;
	return 0;
}

/* Append @arg to @list; pvimg takes "a,b" for "a -x b", so a comma separates names. */
static int add_paths(struct create_opts *o, const char **list, size_t *nr, size_t max,
		     const char *opt, const char *arg, struct errinfo *err)
{
	char *copy, *name, *save = NULL;

	if (!*arg)
		return err_set(err, -EINVAL, "%s: empty file name", opt);
	if (!strchr(arg, ',')) {
		if (*nr >= max)
			return err_set(err, -EINVAL, "%s given more than %zu times", opt, max);
		list[(*nr)++] = arg;
		return 0;
	}
	if (arg[0] == ',' || arg[strlen(arg) - 1] == ',' || strstr(arg, ",,"))
		return err_set(err, -EINVAL, "%s '%s': empty file name in the list", opt, arg);
	if (o->nr_split_args >= ARRAY_SIZE(o->split_args))
		return err_set(err, -EINVAL, "too many comma-separated lists");
	copy = strdup(arg);
	if (!copy)
		return err_set(err, -ENOMEM, "out of memory");
	o->split_args[o->nr_split_args++] = copy;
	for (name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		if (*nr >= max)
			return err_set(err, -EINVAL, "%s given more than %zu files", opt, max);
		list[(*nr)++] = name;
	}
	return 0;
}

void create_opts_done(struct create_opts *o)
{
	for (size_t i = 0; i < o->nr_split_args; i++)
		free(o->split_args[i]);
	o->nr_split_args = 0;
}

static bool any_header_flag(const struct create_opts *o)
{
	return o->dump || o->cck_ext_secret || o->cck_update || o->pckmo || o->pckmo_hmac ||
	       o->backup_keys || o->image_encryption;
}

/* IBM's rules: which flags need which keys, and what excludes what. */
static int check_rules(const struct create_opts *o, struct errinfo *err)
{
	if (o->help || o->version)
		return 0;
	if (!o->kernel)
		return err_set(err, -EINVAL, "missing the kernel (-i/--image FILE)");
	if (!o->output)
		return err_set(err, -EINVAL, "missing the output (-o/--output FILE)");
	if (o->ramdisk && o->ramdisk_dir)
		return err_set(err, -EINVAL, "-r/--ramdisk and --ramdisk-dir exclude each other");
	if (o->nr_hkds == 0)
		return err_set(err, -EINVAL, "missing a host-key document (-k FILE)");
	if (!o->no_verify && o->nr_certs == 0)
		return err_set(err, -EINVAL,
			       "host-key documents must be verified: give the IBM Z signing key "
			       "and intermediate CA with -C/--cert, or --no-verify to skip "
			       "verification (insecure)");
	if (o->no_verify && (o->nr_certs || o->nr_crls || o->root_ca || o->offline))
		return err_set(err, -EINVAL,
			       "--no-verify excludes -C/--cert, --crl, --root-ca and --offline");
	if ((o->have_x_pcf || o->have_x_scf) && any_header_flag(o))
		return err_set(err, -EINVAL,
			       "--x-pcf/--x-scf exclude the --enable-*/--disable-* flag options");
	if (o->dump == FLAG_ENABLE && !o->cck_path && o->cck_update != FLAG_ENABLE)
		return err_set(err, -EINVAL, "--enable-dump requires --cck or --enable-cck-update");
	if (o->cck_ext_secret == FLAG_ENABLE && !o->cck_path)
		return err_set(err, -EINVAL, "--enable-cck-extension-secret requires --cck");
	if (o->cck_ext_secret == FLAG_ENABLE && o->cck_update == FLAG_ENABLE)
		return err_set(err, -EINVAL,
			       "--enable-cck-extension-secret excludes --enable-cck-update");
	if (o->image_key_path && o->image_encryption == FLAG_DISABLE)
		return err_set(err, -EINVAL, "--image-key excludes --disable-image-encryption");
	return 0;
}

int create_opts_parse(int argc, char **argv, bool genprotimg, struct create_opts *ret_opts,
		      struct errinfo *err)
{
	struct create_opts o = { .component_check = true, .overwrite = genprotimg };
	int c, rc = 0;

	optind = 0; /* reset getopt, which tests call repeatedly */
	opterr = 0;
	while (!rc &&
	       (c = getopt_long(argc, argv, ":i:r:p:k:o:C:vVqh", long_options, NULL)) != -1) {
		switch (c) {
		case 'i':
			o.kernel = optarg;
			break;
		case 'r':
			o.ramdisk = optarg;
			break;
		case OPT_RAMDISK_DIR:
			o.ramdisk_dir = optarg;
			break;
		case 'p':
			o.parmfile = optarg;
			break;
		case 'o':
			o.output = optarg;
			break;
		case 'k':
			rc = add_paths(&o, o.hkds, &o.nr_hkds, CREATE_MAX_HKD_ARGS, "-k", optarg,
				       err);
			break;
		case 'C':
			rc = add_paths(&o, o.certs, &o.nr_certs, CREATE_MAX_CERT_ARGS, "-C", optarg,
				       err);
			break;
		case OPT_CRL:
			rc = add_paths(&o, o.crls, &o.nr_crls, CREATE_MAX_CERT_ARGS, "--crl",
				       optarg, err);
			break;
		case OPT_ROOT_CA:
			o.root_ca = optarg;
			break;
		case OPT_OFFLINE:
			o.offline = true;
			break;
		case OPT_NO_VERIFY:
			o.no_verify = true;
			break;
		case OPT_CCK:
			o.cck_path = optarg;
			break;
		case OPT_HDR_KEY:
			o.hdr_key_path = optarg;
			break;
		case OPT_IMAGE_KEY:
			o.image_key_path = optarg;
			break;
		case OPT_ENABLE_DUMP:
		case OPT_DISABLE_DUMP:
			rc = set_tristate(&o.dump,
					  c == OPT_ENABLE_DUMP ? FLAG_ENABLE : FLAG_DISABLE, "dump",
					  err);
			break;
		case OPT_ENABLE_CCK_EXT:
		case OPT_DISABLE_CCK_EXT:
			rc = set_tristate(&o.cck_ext_secret,
					  c == OPT_ENABLE_CCK_EXT ? FLAG_ENABLE : FLAG_DISABLE,
					  "cck-extension-secret", err);
			break;
		case OPT_ENABLE_CCK_UPDATE:
		case OPT_DISABLE_CCK_UPDATE:
			rc = set_tristate(&o.cck_update,
					  c == OPT_ENABLE_CCK_UPDATE ? FLAG_ENABLE : FLAG_DISABLE,
					  "cck-update", err);
			break;
		case OPT_ENABLE_PCKMO:
		case OPT_DISABLE_PCKMO:
			rc = set_tristate(&o.pckmo,
					  c == OPT_ENABLE_PCKMO ? FLAG_ENABLE : FLAG_DISABLE,
					  "pckmo", err);
			break;
		case OPT_ENABLE_PCKMO_HMAC:
		case OPT_DISABLE_PCKMO_HMAC:
			rc = set_tristate(&o.pckmo_hmac,
					  c == OPT_ENABLE_PCKMO_HMAC ? FLAG_ENABLE : FLAG_DISABLE,
					  "pckmo-hmac", err);
			break;
		case OPT_ENABLE_BACKUP_KEYS:
		case OPT_DISABLE_BACKUP_KEYS:
			rc = set_tristate(&o.backup_keys,
					  c == OPT_ENABLE_BACKUP_KEYS ? FLAG_ENABLE : FLAG_DISABLE,
					  "backup-keys", err);
			break;
		case OPT_ENABLE_IMAGE_ENC:
		case OPT_DISABLE_IMAGE_ENC:
			rc = set_tristate(&o.image_encryption,
					  c == OPT_ENABLE_IMAGE_ENC ? FLAG_ENABLE : FLAG_DISABLE,
					  "image-encryption", err);
			break;
		case OPT_X_PCF:
			o.have_x_pcf = true;
			rc = parse_u64("--x-pcf", optarg, &o.x_pcf, err);
			break;
		case OPT_X_PSW:
			o.have_x_psw = true;
			rc = parse_hex_addr("--x-psw", optarg, &o.x_psw, err);
			break;
		case OPT_X_SCF:
			o.have_x_scf = true;
			rc = parse_u64("--x-scf", optarg, &o.x_scf, err);
			break;
		case OPT_X_SEED: {
			/* A malformed value is a usage error, found before any file is read. */
			struct randsrc probe;

			o.x_seed = optarg;
			rc = randsrc_init_seed(&probe, optarg, err);
			randsrc_done(&probe);
			break;
		}
		case OPT_X_BOOTLOADER_DIR:
			o.bootloader_dir = optarg;
			break;
		case OPT_X_INFLATE:
			if (!strcmp(optarg, "isal"))
				o.inflater = DECOMP_INFLATER_ISAL;
			else if (!strcmp(optarg, "zlib"))
				o.inflater = DECOMP_INFLATER_ZLIB;
			else
				rc = err_set(err, -EINVAL, "--x-inflate: '%s' is not isal or zlib",
					     optarg);
			break;
		case OPT_NO_COMPONENT_CHECK:
			o.component_check = false;
			break;
		case OPT_OVERWRITE:
			o.overwrite = true;
			break;
		case 'v':
		case 'V': /* genprotimg's spelling */
			o.verbosity = o.verbosity < 0 ? 1 : o.verbosity + 1;
			break;
		case 'q':
			o.verbosity = -1;
			break;
		case OPT_VERSION:
			o.version = true;
			break;
		case 'h':
			o.help = MAX(o.help, HELP_USUAL);
			break;
		case OPT_HELP_EXPERIMENTAL:
			o.help = MAX(o.help, HELP_EXPERIMENTAL);
			break;
		case OPT_HELP_ALL:
			o.help = HELP_ALL;
			break;
		case ':':
			rc = err_set(err, -EINVAL, "option %s needs an argument", argv[optind - 1]);
			break;
		default:
			rc = err_set(err, -EINVAL, "unknown option '%s'", argv[optind - 1]);
			break;
		}
	}
	if (!rc && optind < argc)
		rc = err_set(err, -EINVAL, "unexpected argument '%s'", argv[optind]);
	rc = rc ?: check_rules(&o, err);
	if (rc) {
		create_opts_done(&o);
		return rc;
	}
	*ret_opts = o;
	return 0;
}

void create_opts_flags(const struct create_opts *o, uint64_t *ret_pcf, uint64_t *ret_scf)
{
	uint64_t pcf = SE_PCF_DEFAULT, scf = 0;

	if (o->dump == FLAG_ENABLE)
		pcf |= SE_PCF_ALLOW_DUMP;
	if (o->pckmo == FLAG_DISABLE)
		pcf &= ~(SE_PCF_PCKMO_DEA_TDEA | SE_PCF_PCKMO_AES | SE_PCF_PCKMO_ECC);
	if (o->pckmo_hmac == FLAG_ENABLE)
		pcf |= SE_PCF_PCKMO_HMAC;
	if (o->backup_keys == FLAG_ENABLE)
		pcf |= SE_PCF_BACKUP_KEYS;
	if (o->image_encryption == FLAG_DISABLE)
		pcf |= SE_PCF_NO_DECRYPTION;
	if (o->cck_ext_secret == FLAG_ENABLE)
		scf |= SE_SCF_CCK_EXTENSION_SECRET;
	if (o->cck_update == FLAG_ENABLE)
		scf |= SE_SCF_CCK_UPDATE;
	*ret_pcf = o->have_x_pcf ? o->x_pcf : pcf;
	*ret_scf = o->have_x_scf ? o->x_scf : scf;
}
