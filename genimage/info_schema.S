/* SPDX-License-Identifier: MIT */
/* The JSON Schema of `segen info --format json`, as a NUL-terminated string. */
	.section .rodata
	.global segen_info_schema
	.global segen_info_schema_end
	.type segen_info_schema, @object
segen_info_schema:
	.incbin "genimage/schema/info-v1.schema.json"
segen_info_schema_end:
	.byte 0
	.size segen_info_schema, . - segen_info_schema
	.section .note.GNU-stack, "", @progbits
#ifdef __CET__
/* No code here either: mark the object fit for IBT/SHSTK like the C objects. */
#include <cet.h>
#endif
