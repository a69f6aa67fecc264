#!/usr/bin/env python3
"""Copy the Timeloop reference cases into test/fixtures/timeloop, keeping the inputs and a slim expected.json.

Usage: python3 scripts/import-reference.py <path to shared/reference/timeloop>
Run once by a developer; the tests only read test/fixtures.
"""
import json, os, shutil, sys

src = sys.argv[1]
dst = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'timeloop')
INPUTS = ['arch.yaml', 'problem.yaml', 'map.yaml', 'ERT.yaml', 'ART.yaml', 'constraints.yaml']
KEEP_DS = ['partition_size', 'utilized_capacity', 'utilized_instances_max', 'scalar_reads_per_instance',
           'scalar_fills_per_instance', 'scalar_updates_per_instance']

os.makedirs(os.path.join(dst, 'cases'), exist_ok=True)
for sub in ['archs', 'problems']:
    shutil.copytree(os.path.join(src, sub), os.path.join(dst, sub), dirs_exist_ok=True)
shutil.copy(os.path.join(src, 'README.md'), os.path.join(dst, 'REFERENCE-README.md'))
index = json.load(open(os.path.join(src, 'index.json')))
json.dump(index, open(os.path.join(dst, 'index.json'), 'w'), indent=1)
for c in index['cases']:
    cdir = os.path.join(src, c['path'])
    out = os.path.join(dst, 'cases', c['case_id'])
    os.makedirs(out, exist_ok=True)
    for f in INPUTS:
        if os.path.exists(os.path.join(cdir, f)):
            shutil.copy(os.path.join(cdir, f), os.path.join(out, f))
    d = json.load(open(os.path.join(cdir, 'case.json')))
    r = d['results']
    levels = []
    for lv in r['levels']:
        e = {'name': lv['name'], 'kind': lv['kind']}
        if lv['kind'] == 'storage':
            e['cycles'] = lv['cycles']
            e['energy_pJ'] = lv.get('energy_total')
            e['dataspaces'] = {ds: {k: v[k] for k in KEEP_DS} for ds, v in lv['dataspaces'].items()}
        else:
            e['utilized_instances'] = lv.get('utilized_instances')
            e['energy_pJ'] = lv.get('energy_total')
        levels.append(e)
    nets = []
    for n in r['networks']:
        nets.append({'name': n.get('name'), 'dataspaces': {ds: {k: v[k] for k in ['ingresses', 'link_transfers', 'spatial_reductions', 'multicast_factor']}
                                                            for ds, v in n['dataspaces'].items()}})
    slim = {
        'case_id': d['case_id'], 'arch': d['arch_name'], 'layer': d['layer_name'],
        'mapping_tag': c['mapping_tag'], 'mapping_source': d['mapping_source'],
        'problem': d['problem'],
        'results': {k: r[k] for k in ['cycles', 'computes', 'utilization_exact', 'energy_pJ', 'energy_breakdown_pJ',
                                      'edp_J_cycle', 'area_um2']},
        'levels': levels, 'networks': nets,
    }
    if 'mapper_run' in d:
        m = d['mapper_run']
        slim['mapper_run'] = {k: m[k] for k in ['wall_time_s', 'total_valid_mappings_evaluated', 'total_mappings_visited', 'settings']}
    json.dump(slim, open(os.path.join(out, 'expected.json'), 'w'), indent=1)
print('imported', len(index['cases']), 'cases into', os.path.normpath(dst))
