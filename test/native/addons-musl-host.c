/*
 * A tiny N-API host for musl: loads a `.node` file with dlopen(RTLD_NOW) under musl's own dynamic
 * loader, runs its module initialiser and prints what it exported. No Node build for musl is
 * reachable here, so this program stands in for one:
 *
 *   - RTLD_NOW resolves every symbol the addon needs at load time: each libc, libm and pthread
 *     symbol must exist in musl's libc, and the addon's static constructors (the C++ runtime that
 *     zig links in statically) run;
 *   - the napi_* functions module initialisers call are implemented here, on a small value model
 *     (objects with named properties, functions, classes, buffers, numbers, strings); every other
 *     napi_* symbol the addon imports comes from generated weak stubs that fail with
 *     napi_generic_failure and report their name, so a real call into one is visible;
 *   - `--mask` then calls bufferutil's exported mask() and unmask() on real buffers, and
 *     `--public-key <hex>` constructs secp256k1's Secp256k1 class (a C++ ObjectWrap) and calls its
 *     publicKeyCreate(), and `--argon2` runs argon2's hash() (an AsyncWorker: the work on a thread
 *     of its own, argon2id on two more): compiled C and C++ code runs on musl, on threads, and its
 *     answers can be checked.
 *
 *   musl-gcc -rdynamic -o musl-host addons-musl-host.c stubs.c    (x86-64; arm64: see addons-helpers.ts)
 *   ./musl-host <file.node> [--mask | --argon2 | --public-key <32-byte private key in hex>]
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int napi_status;
enum { napi_ok = 0, napi_invalid_arg = 1, napi_generic_failure = 9 };
enum { k_undefined, k_number, k_string, k_object, k_function, k_buffer };
enum { t_undefined = 0, t_number = 3, t_string = 4, t_object = 6, t_function = 7 };

typedef struct smoke_value *napi_value;
typedef struct smoke_env *napi_env;
typedef struct smoke_cbinfo *napi_callback_info;
typedef void *napi_ref;
typedef napi_value (*napi_callback)(napi_env, napi_callback_info);
typedef void (*napi_finalize)(napi_env, void *, void *);

typedef struct {
  const char *utf8name;
  napi_value name;
  napi_callback method;
  napi_callback getter;
  napi_callback setter;
  napi_value value;
  int attributes;
  void *data;
} napi_property_descriptor;

typedef struct {
  const char *error_message;
  void *engine_reserved;
  uint32_t engine_error_code;
  napi_status error_code;
} napi_extended_error_info;

#define MAX_PROPS 64
struct smoke_value {
  int kind;
  int64_t number;
  const char *string;
  void *data;
  size_t length;
  napi_callback cb;
  void *cb_data;
  int nprops;
  const char *prop_names[MAX_PROPS];
  napi_value prop_values[MAX_PROPS];
};
struct smoke_env {
  void *instance_data;
};
struct smoke_cbinfo {
  size_t argc;
  napi_value *argv;
  napi_value this_arg;
  void *data;
  napi_value new_target;
};

static struct smoke_value undefined_value = {k_undefined};
static napi_extended_error_info last_error;

static napi_value new_value(int kind) {
  napi_value v = calloc(1, sizeof *v);
  if (!v) abort();
  v->kind = kind;
  return v;
}

static napi_status set_prop(napi_value obj, const char *name, napi_value value) {
  if (!obj || (obj->kind != k_object && obj->kind != k_function) || obj->nprops == MAX_PROPS) return napi_invalid_arg;
  obj->prop_names[obj->nprops] = strdup(name);
  obj->prop_values[obj->nprops++] = value;
  return napi_ok;
}

static napi_value get_prop(napi_value obj, const char *name) {
  for (int i = 0; i < obj->nprops; i++)
    if (strcmp(obj->prop_names[i], name) == 0) return obj->prop_values[i];
  return NULL;
}

static napi_status define(napi_value obj, size_t n, const napi_property_descriptor *props) {
  for (size_t i = 0; i < n; i++) {
    const char *name = props[i].utf8name ? props[i].utf8name
                       : props[i].name && props[i].name->kind == k_string ? props[i].name->string
                                                                          : "?";
    napi_value v = props[i].value;
    if (!v) {
      v = new_value(k_function);
      v->cb = props[i].method ? props[i].method : props[i].getter;
      v->cb_data = props[i].data;
    }
    if (set_prop(obj, name, v) != napi_ok) return napi_invalid_arg;
  }
  return napi_ok;
}

napi_status napi_create_object(napi_env env, napi_value *result) {
  (void)env;
  *result = new_value(k_object);
  return napi_ok;
}

napi_status napi_create_function(napi_env env, const char *name, size_t length, napi_callback cb, void *data,
                                 napi_value *result) {
  (void)env, (void)name, (void)length;
  napi_value v = new_value(k_function);
  v->cb = cb;
  v->cb_data = data;
  *result = v;
  return napi_ok;
}

napi_status napi_define_class(napi_env env, const char *name, size_t length, napi_callback constructor, void *data,
                              size_t property_count, const napi_property_descriptor *properties, napi_value *result) {
  (void)env, (void)length;
  napi_value v = new_value(k_function);
  v->string = strdup(name);
  v->cb = constructor;
  v->cb_data = data;
  *result = v;
  return define(v, property_count, properties);
}

napi_status napi_define_properties(napi_env env, napi_value object, size_t property_count,
                                   const napi_property_descriptor *properties) {
  (void)env;
  return define(object, property_count, properties);
}

napi_status napi_set_named_property(napi_env env, napi_value object, const char *name, napi_value value) {
  (void)env;
  return set_prop(object, name, value);
}

napi_status napi_set_property(napi_env env, napi_value object, napi_value key, napi_value value) {
  (void)env;
  if (!key || key->kind != k_string) return napi_invalid_arg;
  return set_prop(object, key->string, value);
}

napi_status napi_create_string_utf8(napi_env env, const char *str, size_t length, napi_value *result) {
  (void)env;
  napi_value v = new_value(k_string);
  v->string = length == (size_t)-1 ? strdup(str) : strndup(str, length);
  *result = v;
  return napi_ok;
}

napi_status napi_create_string_latin1(napi_env env, const char *str, size_t length, napi_value *result) {
  return napi_create_string_utf8(env, str, length, result);
}

napi_status napi_get_undefined(napi_env env, napi_value *result) {
  (void)env;
  *result = &undefined_value;
  return napi_ok;
}

napi_status napi_typeof(napi_env env, napi_value value, int *result) {
  (void)env;
  static const int types[] = {t_undefined, t_number, t_string, t_object, t_function, t_object};
  *result = value ? types[value->kind] : t_undefined;
  return napi_ok;
}

napi_status napi_create_reference(napi_env env, napi_value value, uint32_t count, napi_ref *result) {
  (void)env, (void)count;
  *result = value;
  return napi_ok;
}

/* Nothing is ever collected here, so finalizers never run. */
napi_status napi_add_finalizer(napi_env env, napi_value object, void *data, napi_finalize finalize, void *hint,
                               napi_ref *result) {
  (void)env, (void)object, (void)data, (void)finalize, (void)hint;
  if (result) *result = NULL;
  return napi_ok;
}

napi_status napi_set_instance_data(napi_env env, void *data, napi_finalize finalize, void *hint) {
  (void)finalize, (void)hint;
  env->instance_data = data;
  return napi_ok;
}

napi_status napi_get_instance_data(napi_env env, void **data) {
  *data = env->instance_data;
  return napi_ok;
}

napi_status napi_is_exception_pending(napi_env env, _Bool *result) {
  (void)env;
  *result = 0;
  return napi_ok;
}

napi_status napi_get_last_error_info(napi_env env, const napi_extended_error_info **result) {
  (void)env;
  *result = &last_error;
  return napi_ok;
}

napi_status napi_get_cb_info(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv,
                             napi_value *this_arg, void **data) {
  (void)env;
  if (argv && argc)
    for (size_t i = 0; i < *argc; i++) argv[i] = i < info->argc ? info->argv[i] : &undefined_value;
  if (argc) *argc = info->argc;
  if (this_arg) *this_arg = info->this_arg;
  if (data) *data = info->data;
  return napi_ok;
}

napi_status napi_get_buffer_info(napi_env env, napi_value value, void **data, size_t *length) {
  (void)env;
  if (!value || value->kind != k_buffer) return napi_invalid_arg;
  if (data) *data = value->data;
  if (length) *length = value->length;
  return napi_ok;
}

napi_status napi_get_value_int64(napi_env env, napi_value value, int64_t *result) {
  (void)env;
  if (!value || value->kind != k_number) return napi_invalid_arg;
  *result = value->number;
  return napi_ok;
}

napi_status napi_create_double(napi_env env, double value, napi_value *result) {
  (void)env;
  napi_value v = new_value(k_number);
  v->number = (int64_t)value;
  *result = v;
  return napi_ok;
}

napi_status napi_get_new_target(napi_env env, napi_callback_info info, napi_value *result) {
  (void)env;
  *result = info->new_target;
  return napi_ok;
}

/* An object's native half (ObjectWrap): kept in the object itself. */
napi_status napi_wrap(napi_env env, napi_value object, void *native, napi_finalize finalize, void *hint,
                      napi_ref *result) {
  (void)env, (void)finalize, (void)hint;
  if (!object || object->kind != k_object) return napi_invalid_arg;
  object->data = native;
  if (result) *result = object;
  return napi_ok;
}

napi_status napi_unwrap(napi_env env, napi_value object, void **result) {
  (void)env;
  if (!object || object->kind != k_object || !object->data) return napi_invalid_arg;
  *result = object->data;
  return napi_ok;
}

napi_status napi_adjust_external_memory(napi_env env, int64_t change, int64_t *result) {
  (void)env;
  if (result) *result = change;
  return napi_ok;
}

/* Buffers are the only typed arrays here, as in Node (a Buffer is a Uint8Array). */
napi_status napi_is_typedarray(napi_env env, napi_value value, _Bool *result) {
  (void)env;
  *result = value && value->kind == k_buffer;
  return napi_ok;
}

napi_status napi_get_typedarray_info(napi_env env, napi_value value, int *type, size_t *length, void **data,
                                     napi_value *arraybuffer, size_t *byte_offset) {
  (void)env;
  if (!value || value->kind != k_buffer) return napi_invalid_arg;
  if (type) *type = 1; /* napi_uint8_array */
  if (length) *length = value->length;
  if (data) *data = value->data;
  if (arraybuffer) *arraybuffer = value;
  if (byte_offset) *byte_offset = 0;
  return napi_ok;
}

napi_status napi_get_named_property(napi_env env, napi_value object, const char *name, napi_value *result) {
  (void)env;
  if (!object || (object->kind != k_object && object->kind != k_function)) return napi_invalid_arg;
  napi_value v = get_prop(object, name);
  *result = v ? v : &undefined_value;
  return napi_ok;
}

napi_status napi_get_property(napi_env env, napi_value object, napi_value key, napi_value *result) {
  if (!key || key->kind != k_string) return napi_invalid_arg;
  return napi_get_named_property(env, object, key->string, result);
}

napi_status napi_get_value_uint32(napi_env env, napi_value value, uint32_t *result) {
  (void)env;
  if (!value || value->kind != k_number) return napi_invalid_arg;
  *result = (uint32_t)value->number;
  return napi_ok;
}

napi_status napi_coerce_to_number(napi_env env, napi_value value, napi_value *result) {
  (void)env;
  if (!value || value->kind != k_number) return napi_invalid_arg;
  *result = value;
  return napi_ok;
}

napi_status napi_create_buffer_copy(napi_env env, size_t length, const void *data, void **result_data,
                                    napi_value *result) {
  (void)env;
  void *copy = malloc(length ? length : 1);
  if (!copy) abort();
  memcpy(copy, data, length);
  napi_value v = new_value(k_buffer);
  v->data = copy;
  v->length = length;
  if (result_data) *result_data = copy;
  *result = v;
  return napi_ok;
}

/* A promise is an object whose settled value is kept as its `value` (or `reason`) property. */
napi_status napi_create_promise(napi_env env, void **deferred, napi_value *promise) {
  (void)env;
  *promise = new_value(k_object);
  *deferred = *promise;
  return napi_ok;
}

napi_status napi_resolve_deferred(napi_env env, void *deferred, napi_value resolution) {
  (void)env;
  return set_prop(deferred, "value", resolution);
}

napi_status napi_reject_deferred(napi_env env, void *deferred, napi_value rejection) {
  (void)env;
  return set_prop(deferred, "reason", rejection);
}

/*
 * Async work as Node runs it: `execute` starts on a thread of its own when queued (argon2 starts
 * more threads from there), and `complete` runs on the main thread later, from the event loop
 * that drain_async_work() stands in for, never inside the call that queued it.
 */
struct smoke_work {
  void (*execute)(napi_env, void *);
  void (*complete)(napi_env, napi_status, void *);
  void *data;
  napi_env env;
  pthread_t thread;
  struct smoke_work *next;
};
static struct smoke_work *queued;

napi_status napi_create_async_work(napi_env env, napi_value resource, napi_value resource_name,
                                   void (*execute)(napi_env, void *), void (*complete)(napi_env, napi_status, void *),
                                   void *data, void **result) {
  (void)resource, (void)resource_name;
  struct smoke_work *w = calloc(1, sizeof *w);
  if (!w) abort();
  w->execute = execute;
  w->complete = complete;
  w->data = data;
  w->env = env;
  *result = w;
  return napi_ok;
}

static void *run_work(void *arg) {
  struct smoke_work *w = arg;
  w->execute(w->env, w->data);
  return NULL;
}

napi_status napi_queue_async_work(napi_env env, void *work) {
  (void)env;
  struct smoke_work *w = work;
  if (pthread_create(&w->thread, NULL, run_work, w) != 0) return napi_generic_failure;
  w->next = queued;
  queued = w;
  return napi_ok;
}

static void drain_async_work(void) {
  while (queued) {
    struct smoke_work *w = queued;
    queued = w->next;
    pthread_join(w->thread, NULL);
    /* complete() may delete the work (napi_delete_async_work): nothing touches w after it. */
    w->complete(w->env, napi_ok, w->data);
  }
}

napi_status napi_delete_async_work(napi_env env, void *work) {
  (void)env;
  free(work);
  return napi_ok;
}

napi_status napi_open_handle_scope(napi_env env, void **result) {
  (void)env;
  *result = env;
  return napi_ok;
}

napi_status napi_close_handle_scope(napi_env env, void *scope) {
  (void)env, (void)scope;
  return napi_ok;
}

/* Called by the generated weak stubs: an addon reached a napi_* function this host lacks. */
int smoke_unimplemented(const char *name) {
  fprintf(stderr, "musl-host: %s is not implemented here\n", name);
  return napi_generic_failure;
}

static void print_exports(napi_value exports) {
  printf("exports:");
  for (int i = 0; i < exports->nprops; i++) {
    napi_value v = exports->prop_values[i];
    printf(" %s", exports->prop_names[i]);
    if (v->kind == k_function && v->nprops > 0) {
      printf("{");
      for (int j = 0; j < v->nprops; j++) printf("%s%s", j ? "," : "", v->prop_names[j]);
      printf("}");
    }
  }
  printf("\n");
}

static napi_value buffer(void *data, size_t length) {
  napi_value v = new_value(k_buffer);
  v->data = data;
  v->length = length;
  return v;
}

static napi_value number(int64_t n) {
  napi_value v = new_value(k_number);
  v->number = n;
  return v;
}

static void print_hex(const char *label, const uint8_t *bytes, size_t n) {
  printf("%s: ", label);
  for (size_t i = 0; i < n; i++) printf("%02x", bytes[i]);
  printf("\n");
}

/* bufferutil's mask(source, mask, output, offset, length) and unmask(buffer, mask). */
static int run_mask(struct smoke_env *env, napi_value exports) {
  napi_value mask = get_prop(exports, "mask"), unmask = get_prop(exports, "unmask");
  if (!mask || !unmask || !mask->cb || !unmask->cb) {
    fprintf(stderr, "musl-host: the addon exports no mask/unmask functions\n");
    return 1;
  }
  /* 37 bytes at an odd offset: the alignment preamble, the 8-byte loop and the tail all run. */
  static uint8_t source[37], out[40], key[4] = {0x6d, 0xb6, 0x2a, 0x91};
  for (size_t i = 0; i < sizeof source; i++) source[i] = (uint8_t)(i * 7 + 3);
  napi_value margs[] = {buffer(source, sizeof source), buffer(key, 4), buffer(out, sizeof out), number(3), number(37)};
  struct smoke_cbinfo minfo = {5, margs, &undefined_value, mask->cb_data, NULL};
  mask->cb(env, &minfo);
  print_hex("mask", out, sizeof out);
  napi_value uargs[] = {buffer(source, sizeof source), buffer(key, 4)};
  struct smoke_cbinfo uinfo = {2, uargs, &undefined_value, unmask->cb_data, NULL};
  unmask->cb(env, &uinfo);
  print_hex("unmask", source, sizeof source);
  return 0;
}

/* new Secp256k1(), then publicKeyCreate(output, privateKey): 0 and a compressed key on success. */
static int run_public_key(struct smoke_env *env, napi_value exports, const char *hex) {
  napi_value cls = get_prop(exports, "Secp256k1");
  napi_value create = cls ? get_prop(cls, "publicKeyCreate") : NULL;
  if (!cls || !cls->cb || !create || !create->cb) {
    fprintf(stderr, "musl-host: the addon exports no Secp256k1 class with publicKeyCreate\n");
    return 1;
  }
  static uint8_t key[32], out[33];
  for (size_t i = 0; i < sizeof key; i++)
    if (sscanf(hex + 2 * i, "%2hhx", &key[i]) != 1) {
      fprintf(stderr, "musl-host: --public-key wants 64 hex digits\n");
      return 2;
    }
  napi_value self = new_value(k_object);
  struct smoke_cbinfo cinfo = {0, NULL, self, cls->cb_data, cls};
  cls->cb(env, &cinfo);
  napi_value args[] = {buffer(out, sizeof out), buffer(key, sizeof key)};
  struct smoke_cbinfo info = {2, args, self, create->cb_data, NULL};
  napi_value status = create->cb(env, &info);
  printf("publicKeyCreate: %lld\n", status && status->kind == k_number ? (long long)status->number : -1LL);
  print_hex("publicKey", out, sizeof out);
  return 0;
}

/* argon2's hash({ password, salt, … }): an AsyncWorker whose argon2id runs on two threads. */
static int run_argon2(struct smoke_env *env, napi_value exports) {
  napi_value hash = get_prop(exports, "hash");
  if (!hash || !hash->cb) {
    fprintf(stderr, "musl-host: the addon exports no hash function\n");
    return 1;
  }
  static char password[] = "correct horse battery staple", salt[] = "devkit-salt-0123", empty[1];
  napi_value options = new_value(k_object);
  set_prop(options, "password", buffer(password, strlen(password)));
  set_prop(options, "salt", buffer(salt, strlen(salt)));
  set_prop(options, "secret", buffer(empty, 0));
  set_prop(options, "data", buffer(empty, 0));
  const char *names[] = {"hashLength", "m", "t", "p", "type", "version"};
  const int64_t values[] = {32, 256, 2, 2, 2, 0x13};
  for (int i = 0; i < 6; i++) set_prop(options, names[i], number(values[i]));
  napi_value args[] = {options};
  struct smoke_cbinfo info = {1, args, &undefined_value, hash->cb_data, NULL};
  napi_value promise = hash->cb(env, &info);
  drain_async_work();
  napi_value result = promise && promise->kind == k_object ? get_prop(promise, "value") : NULL;
  if (!result || result->kind != k_buffer) {
    fprintf(stderr, "musl-host: hash() did not resolve to a buffer\n");
    return 1;
  }
  print_hex("argon2id", result->data, result->length);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: musl-host <file.node> [--mask | --argon2 | --public-key <hex>]\n");
    return 2;
  }
  void *handle = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    fprintf(stderr, "musl-host: dlopen: %s\n", dlerror());
    return 1;
  }
  napi_value (*init)(napi_env, napi_value) = (napi_value(*)(napi_env, napi_value))dlsym(handle, "napi_register_module_v1");
  if (!init) {
    fprintf(stderr, "musl-host: %s exports no napi_register_module_v1\n", argv[1]);
    return 1;
  }
  int32_t (*api_version)(void) = (int32_t(*)(void))dlsym(handle, "node_api_module_get_api_version_v1");
  if (api_version) printf("node-api version: %d\n", (int)api_version());
  static struct smoke_env env;
  napi_value exports = new_value(k_object);
  napi_value returned = init(&env, exports);
  if (returned && returned != exports && (returned->kind == k_object || returned->kind == k_function)) exports = returned;
  print_exports(exports);
  if (argc > 2 && strcmp(argv[2], "--mask") == 0) return run_mask(&env, exports);
  if (argc > 2 && strcmp(argv[2], "--argon2") == 0) return run_argon2(&env, exports);
  if (argc > 3 && strcmp(argv[2], "--public-key") == 0) return run_public_key(&env, exports, argv[3]);
  return 0;
}
