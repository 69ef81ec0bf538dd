/*
 * file_reader.c — opening a Parquet file: the magic bytes, the footer (bounded and checked
 * against the file), encryption detection, the schema, and the consistency of row groups
 * with the schema. Pages are read later, by column cursors (column_cursor.c).
 */
#include "parquet/reader.h"

#include <stdio.h>

void idbpq_reader_opts_init(idbpq_reader_opts *o)
{
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    o->limits.max_footer_bytes = 256u << 20;
    o->limits.max_page_bytes = 1u << 30;
    o->limits.max_dictionary_bytes = 1u << 30;
    o->limits.max_nesting_depth = 128;
    o->limits.max_row_group_rows = (uint64_t)1 << 40;
    o->limits.max_decompression_ratio = 100000;
    o->limits.max_row_bytes = 1u << 30;
    o->limits.max_page_values = (uint64_t)1 << 27;
    o->verify_crc = 1;
    o->trust_num_rows = 0;
}

const char *idbpq__reader_name(const struct idbpq_reader *r)
{
    return r->src.name ? r->src.name : "(input)";
}

const char *idbpq_reader_errmsg(const idbpq_reader *r) { return r ? r->err.msg : "no reader"; }
const idbpq_schema *idbpq_reader_schema(const idbpq_reader *r) { return r ? r->schema : NULL; }
const idbpq_file_meta *idbpq_reader_meta(const idbpq_reader *r) { return r ? &r->md.pub : NULL; }

void idbpq_reader_free(idbpq_reader *r)
{
    if (!r) return;
    idbpq_schema_free(r->schema);
    idbpq__codec_ctx_free(r->codec);
    idbpq__arena_free(&r->meta_arena);
    idbpq__free(r->alc, r, sizeof *r);
}

/* Checks that every row group matches the schema's columns, so cursors can trust types. */
static idbpq_status check_row_groups(idbpq_reader *r)
{
    const idbpq_file_meta *m = &r->md.pub;
    int32_t ncol = idbpq_schema_num_columns(r->schema);
    for (int32_t g = 0; g < m->num_row_groups; g++) {
        const idbpq_row_group_meta *rg = &m->row_groups[g];
        if (rg->num_columns != ncol)
            return idbpq__fail(&r->err, IDBPQ_CORRUPT,
                               "row group %d has %d column chunks but the schema has %d columns",
                               g, rg->num_columns, ncol);
        if (rg->num_rows < 0 || (uint64_t)rg->num_rows > r->opts.limits.max_row_group_rows)
            return idbpq__fail(&r->err, rg->num_rows < 0 ? IDBPQ_CORRUPT : IDBPQ_LIMIT,
                               "row group %d declares %lld rows", g, (long long)rg->num_rows);
        for (int32_t c = 0; c < ncol; c++) {
            const idbpq_column_chunk_meta *cm = &rg->columns[c];
            const idbpq_schema_node *leaf = idbpq_schema_column(r->schema, c);
            if (cm->encrypted)
                return idbpq__fail(&r->err, IDBPQ_ENCRYPTED,
                                   "encrypted: not supported (column %s of row group %d is "
                                   "encrypted)", leaf->path, g);
            if (cm->file_path)
                return idbpq__fail(&r->err, IDBPQ_UNSUPPORTED,
                                   "row group %d, column %s: data in another file (%s) is not "
                                   "supported", g, leaf->path, cm->file_path);
            if ((int)cm->type != (int)leaf->type)
                return idbpq__fail(&r->err, IDBPQ_CORRUPT,
                                   "row group %d, column %s: chunk type %s differs from the "
                                   "schema's %s", g, leaf->path,
                                   idbpq_type_name(cm->type) ? idbpq_type_name(cm->type) : "?",
                                   idbpq_type_name(leaf->type));
        }
    }
    return IDBPQ_OK;
}

static idbpq_status open_impl(idbpq_reader *r)
{
    uint64_t size = r->src.size;
    uint8_t tail[8], head[4];
    if (size < 12)
        return idbpq__fail(&r->err, IDBPQ_CORRUPT,
                           "not a Parquet file: %llu bytes is too short for the magic and a "
                           "footer", (unsigned long long)size);
    if (r->src.read_at(r->src.ctx, size - 8, tail, 8) != IDBPQ_OK ||
        r->src.read_at(r->src.ctx, 0, head, 4) != IDBPQ_OK)
        return idbpq__fail(&r->err, IDBPQ_IO, "cannot read the file's first and last bytes");
    if (memcmp(tail + 4, "PARE", 4) == 0)
        return idbpq__fail(&r->err, IDBPQ_ENCRYPTED,
                           "encrypted: not supported (encrypted footer, \"PARE\" magic at offset "
                           "%llu)", (unsigned long long)(size - 4));
    if (memcmp(tail + 4, "PAR1", 4) != 0)
        return idbpq__fail(&r->err, IDBPQ_CORRUPT,
                           "not a Parquet file: no \"PAR1\" magic at the end (offset %llu)",
                           (unsigned long long)(size - 4));
    if (memcmp(head, "PAR1", 4) != 0 && memcmp(head, "PARE", 4) != 0)
        return idbpq__fail(&r->err, IDBPQ_CORRUPT,
                           "not a Parquet file: no \"PAR1\" magic at offset 0");
    uint32_t flen = idbpq__le32(tail);
    if ((uint64_t)flen > size - 12)
        return idbpq__fail(&r->err, IDBPQ_CORRUPT,
                           "footer length %u (at offset %llu) exceeds the file's %llu bytes",
                           flen, (unsigned long long)(size - 8), (unsigned long long)size);
    if (flen > r->opts.limits.max_footer_bytes)
        return idbpq__fail(&r->err, IDBPQ_LIMIT, "footer of %u bytes exceeds the limit of %llu",
                           flen, (unsigned long long)r->opts.limits.max_footer_bytes);
    uint64_t foff = size - 8 - flen;
    r->data_end = foff;
    const uint8_t *fp;
    uint8_t *owned = NULL;
    if (r->src.memory) {
        fp = r->src.memory + foff;
    } else {
        owned = idbpq__malloc(r->alc, flen ? flen : 1);
        if (!owned) return idbpq__fail(&r->err, IDBPQ_NOMEM, "out of memory for the footer");
        if (r->src.read_at(r->src.ctx, foff, owned, flen) != IDBPQ_OK) {
            idbpq__free(r->alc, owned, flen ? flen : 1);
            return idbpq__fail(&r->err, IDBPQ_IO, "cannot read the footer at offset %llu",
                               (unsigned long long)foff);
        }
        fp = owned;
    }
    idbpq_status st = idbpq__meta_decode_file(fp, flen, foff, &r->meta_arena, &r->md, &r->err);
    idbpq__free(r->alc, owned, flen ? flen : 1);
    if (st != IDBPQ_OK) {
        if (!r->err.msg[0]) idbpq__fail(&r->err, st, "footer at offset %llu: %s",
                                        (unsigned long long)foff, idbpq_status_str(st));
        return st;
    }
    r->md.pub.footer_length = flen;
    if (r->md.has_encryption_algorithm)
        return idbpq__fail(&r->err, IDBPQ_ENCRYPTED,
                           "encrypted: not supported (plaintext footer of an encrypted file)");
    st = idbpq__schema_from_elements(r->md.schema, r->md.n_schema,
                                     r->opts.limits.max_nesting_depth, r->alc, &r->schema,
                                     &r->err);
    if (st != IDBPQ_OK) return st;
    IDBPQ__TRY(check_row_groups(r));
    if (idbpq__codec_ctx_create(&r->codec, r->alc) != IDBPQ_OK)
        return idbpq__fail(&r->err, IDBPQ_NOMEM, "out of memory");
    return IDBPQ_OK;
}

idbpq_status idbpq_reader_open(idbpq_reader **out, const idbpq_source *src,
                               const idbpq_reader_opts *opts, const idbpq_allocator *alc,
                               char *err, size_t errlen)
{
    if (!out || !src || !src->read_at) return IDBPQ_INVALID_ARG;
    *out = NULL;
    idbpq_reader *r = idbpq__calloc(alc, sizeof *r);
    if (!r) {
        if (err && errlen) snprintf(err, errlen, "out of memory");
        return IDBPQ_NOMEM;
    }
    r->alc = idbpq__alc(alc);
    r->src = *src;
    if (opts && opts->struct_size >= sizeof *opts) r->opts = *opts;
    else idbpq_reader_opts_init(&r->opts);
    idbpq__arena_init(&r->meta_arena, alc);
    idbpq_status st = open_impl(r);
    if (st != IDBPQ_OK) {
        idbpq__err_copy(&r->err, err, errlen);
        idbpq_reader_free(r);
        return st;
    }
    *out = r;
    return IDBPQ_OK;
}
