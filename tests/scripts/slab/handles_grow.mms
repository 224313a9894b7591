# kmem_cache_alloc's handle table grows (64, 128, 256 slots) while the
# command holds its cache's handle: the cache is read before it grows.
boot mem=64M seed=1
kmem_cache_create c 64
kmem_cache_alloc o1 c
kmem_cache_alloc o2 c
kmem_cache_alloc o3 c
kmem_cache_alloc o4 c
kmem_cache_alloc o5 c
kmem_cache_alloc o6 c
kmem_cache_alloc o7 c
kmem_cache_alloc o8 c
kmem_cache_alloc o9 c
kmem_cache_alloc o10 c
kmem_cache_alloc o11 c
kmem_cache_alloc o12 c
kmem_cache_alloc o13 c
kmem_cache_alloc o14 c
kmem_cache_alloc o15 c
kmem_cache_alloc o16 c
kmem_cache_alloc o17 c
kmem_cache_alloc o18 c
kmem_cache_alloc o19 c
kmem_cache_alloc o20 c
kmem_cache_alloc o21 c
kmem_cache_alloc o22 c
kmem_cache_alloc o23 c
kmem_cache_alloc o24 c
kmem_cache_alloc o25 c
kmem_cache_alloc o26 c
kmem_cache_alloc o27 c
kmem_cache_alloc o28 c
kmem_cache_alloc o29 c
kmem_cache_alloc o30 c
kmem_cache_alloc o31 c
kmem_cache_alloc o32 c
kmem_cache_alloc o33 c
kmem_cache_alloc o34 c
kmem_cache_alloc o35 c
kmem_cache_alloc o36 c
kmem_cache_alloc o37 c
kmem_cache_alloc o38 c
kmem_cache_alloc o39 c
kmem_cache_alloc o40 c
kmem_cache_alloc o41 c
kmem_cache_alloc o42 c
kmem_cache_alloc o43 c
kmem_cache_alloc o44 c
kmem_cache_alloc o45 c
kmem_cache_alloc o46 c
kmem_cache_alloc o47 c
kmem_cache_alloc o48 c
kmem_cache_alloc o49 c
kmem_cache_alloc o50 c
kmem_cache_alloc o51 c
kmem_cache_alloc o52 c
kmem_cache_alloc o53 c
kmem_cache_alloc o54 c
kmem_cache_alloc o55 c
kmem_cache_alloc o56 c
kmem_cache_alloc o57 c
kmem_cache_alloc o58 c
kmem_cache_alloc o59 c
kmem_cache_alloc o60 c
kmem_cache_alloc o61 c
kmem_cache_alloc o62 c
kmem_cache_alloc o63 c
kmem_cache_alloc o64 c
kmem_cache_alloc o65 c
kmem_cache_alloc o66 c
kmem_cache_alloc o67 c
kmem_cache_alloc o68 c
kmem_cache_alloc o69 c
kmem_cache_alloc o70 c
kmem_cache_alloc o71 c
kmem_cache_alloc o72 c
kmem_cache_alloc o73 c
kmem_cache_alloc o74 c
kmem_cache_alloc o75 c
kmem_cache_alloc o76 c
kmem_cache_alloc o77 c
kmem_cache_alloc o78 c
kmem_cache_alloc o79 c
kmem_cache_alloc o80 c
kmem_cache_alloc o81 c
kmem_cache_alloc o82 c
kmem_cache_alloc o83 c
kmem_cache_alloc o84 c
kmem_cache_alloc o85 c
kmem_cache_alloc o86 c
kmem_cache_alloc o87 c
kmem_cache_alloc o88 c
kmem_cache_alloc o89 c
kmem_cache_alloc o90 c
kmem_cache_alloc o91 c
kmem_cache_alloc o92 c
kmem_cache_alloc o93 c
kmem_cache_alloc o94 c
kmem_cache_alloc o95 c
kmem_cache_alloc o96 c
kmem_cache_alloc o97 c
kmem_cache_alloc o98 c
kmem_cache_alloc o99 c
kmem_cache_alloc o100 c
kmem_cache_alloc o101 c
kmem_cache_alloc o102 c
kmem_cache_alloc o103 c
kmem_cache_alloc o104 c
kmem_cache_alloc o105 c
kmem_cache_alloc o106 c
kmem_cache_alloc o107 c
kmem_cache_alloc o108 c
kmem_cache_alloc o109 c
kmem_cache_alloc o110 c
kmem_cache_alloc o111 c
kmem_cache_alloc o112 c
kmem_cache_alloc o113 c
kmem_cache_alloc o114 c
kmem_cache_alloc o115 c
kmem_cache_alloc o116 c
kmem_cache_alloc o117 c
kmem_cache_alloc o118 c
kmem_cache_alloc o119 c
kmem_cache_alloc o120 c
kmem_cache_alloc o121 c
kmem_cache_alloc o122 c
kmem_cache_alloc o123 c
kmem_cache_alloc o124 c
kmem_cache_alloc o125 c
kmem_cache_alloc o126 c
kmem_cache_alloc o127 c
kmem_cache_alloc o128 c
kmem_cache_alloc o129 c
kmem_cache_alloc o130 c
kmem_cache_alloc o131 c
kmem_cache_alloc o132 c
kmem_cache_alloc o133 c
kmem_cache_alloc o134 c
kmem_cache_alloc o135 c
kmem_cache_alloc o136 c
kmem_cache_alloc o137 c
kmem_cache_alloc o138 c
kmem_cache_alloc o139 c
kmem_cache_alloc o140 c
kmem_cache_alloc o141 c
kmem_cache_alloc o142 c
kmem_cache_alloc o143 c
kmem_cache_alloc o144 c
kmem_cache_alloc o145 c
kmem_cache_alloc o146 c
kmem_cache_alloc o147 c
kmem_cache_alloc o148 c
kmem_cache_alloc o149 c
kmem_cache_alloc o150 c
kmem_cache_alloc o151 c
kmem_cache_alloc o152 c
kmem_cache_alloc o153 c
kmem_cache_alloc o154 c
kmem_cache_alloc o155 c
kmem_cache_alloc o156 c
kmem_cache_alloc o157 c
kmem_cache_alloc o158 c
kmem_cache_alloc o159 c
kmem_cache_alloc o160 c
kmem_cache_alloc o161 c
kmem_cache_alloc o162 c
kmem_cache_alloc o163 c
kmem_cache_alloc o164 c
kmem_cache_alloc o165 c
kmem_cache_alloc o166 c
kmem_cache_alloc o167 c
kmem_cache_alloc o168 c
kmem_cache_alloc o169 c
kmem_cache_alloc o170 c
kmem_cache_alloc o171 c
kmem_cache_alloc o172 c
kmem_cache_alloc o173 c
kmem_cache_alloc o174 c
kmem_cache_alloc o175 c
kmem_cache_alloc o176 c
kmem_cache_alloc o177 c
kmem_cache_alloc o178 c
kmem_cache_alloc o179 c
kmem_cache_alloc o180 c
kmem_cache_alloc o181 c
kmem_cache_alloc o182 c
kmem_cache_alloc o183 c
kmem_cache_alloc o184 c
kmem_cache_alloc o185 c
kmem_cache_alloc o186 c
kmem_cache_alloc o187 c
kmem_cache_alloc o188 c
kmem_cache_alloc o189 c
kmem_cache_alloc o190 c
kmem_cache_alloc o191 c
kmem_cache_alloc o192 c
kmem_cache_alloc o193 c
kmem_cache_alloc o194 c
kmem_cache_alloc o195 c
kmem_cache_alloc o196 c
kmem_cache_alloc o197 c
kmem_cache_alloc o198 c
kmem_cache_alloc o199 c
kmem_cache_alloc o200 c
kmem_cache_free o1
kmem_cache_free o2
kmem_cache_free o3
kmem_cache_free o4
kmem_cache_free o5
kmem_cache_free o6
kmem_cache_free o7
kmem_cache_free o8
kmem_cache_free o9
kmem_cache_free o10
kmem_cache_free o11
kmem_cache_free o12
kmem_cache_free o13
kmem_cache_free o14
kmem_cache_free o15
kmem_cache_free o16
kmem_cache_free o17
kmem_cache_free o18
kmem_cache_free o19
kmem_cache_free o20
kmem_cache_free o21
kmem_cache_free o22
kmem_cache_free o23
kmem_cache_free o24
kmem_cache_free o25
kmem_cache_free o26
kmem_cache_free o27
kmem_cache_free o28
kmem_cache_free o29
kmem_cache_free o30
kmem_cache_free o31
kmem_cache_free o32
kmem_cache_free o33
kmem_cache_free o34
kmem_cache_free o35
kmem_cache_free o36
kmem_cache_free o37
kmem_cache_free o38
kmem_cache_free o39
kmem_cache_free o40
kmem_cache_free o41
kmem_cache_free o42
kmem_cache_free o43
kmem_cache_free o44
kmem_cache_free o45
kmem_cache_free o46
kmem_cache_free o47
kmem_cache_free o48
kmem_cache_free o49
kmem_cache_free o50
kmem_cache_free o51
kmem_cache_free o52
kmem_cache_free o53
kmem_cache_free o54
kmem_cache_free o55
kmem_cache_free o56
kmem_cache_free o57
kmem_cache_free o58
kmem_cache_free o59
kmem_cache_free o60
kmem_cache_free o61
kmem_cache_free o62
kmem_cache_free o63
kmem_cache_free o64
kmem_cache_free o65
kmem_cache_free o66
kmem_cache_free o67
kmem_cache_free o68
kmem_cache_free o69
kmem_cache_free o70
kmem_cache_free o71
kmem_cache_free o72
kmem_cache_free o73
kmem_cache_free o74
kmem_cache_free o75
kmem_cache_free o76
kmem_cache_free o77
kmem_cache_free o78
kmem_cache_free o79
kmem_cache_free o80
kmem_cache_free o81
kmem_cache_free o82
kmem_cache_free o83
kmem_cache_free o84
kmem_cache_free o85
kmem_cache_free o86
kmem_cache_free o87
kmem_cache_free o88
kmem_cache_free o89
kmem_cache_free o90
kmem_cache_free o91
kmem_cache_free o92
kmem_cache_free o93
kmem_cache_free o94
kmem_cache_free o95
kmem_cache_free o96
kmem_cache_free o97
kmem_cache_free o98
kmem_cache_free o99
kmem_cache_free o100
kmem_cache_free o101
kmem_cache_free o102
kmem_cache_free o103
kmem_cache_free o104
kmem_cache_free o105
kmem_cache_free o106
kmem_cache_free o107
kmem_cache_free o108
kmem_cache_free o109
kmem_cache_free o110
kmem_cache_free o111
kmem_cache_free o112
kmem_cache_free o113
kmem_cache_free o114
kmem_cache_free o115
kmem_cache_free o116
kmem_cache_free o117
kmem_cache_free o118
kmem_cache_free o119
kmem_cache_free o120
kmem_cache_free o121
kmem_cache_free o122
kmem_cache_free o123
kmem_cache_free o124
kmem_cache_free o125
kmem_cache_free o126
kmem_cache_free o127
kmem_cache_free o128
kmem_cache_free o129
kmem_cache_free o130
kmem_cache_free o131
kmem_cache_free o132
kmem_cache_free o133
kmem_cache_free o134
kmem_cache_free o135
kmem_cache_free o136
kmem_cache_free o137
kmem_cache_free o138
kmem_cache_free o139
kmem_cache_free o140
kmem_cache_free o141
kmem_cache_free o142
kmem_cache_free o143
kmem_cache_free o144
kmem_cache_free o145
kmem_cache_free o146
kmem_cache_free o147
kmem_cache_free o148
kmem_cache_free o149
kmem_cache_free o150
kmem_cache_free o151
kmem_cache_free o152
kmem_cache_free o153
kmem_cache_free o154
kmem_cache_free o155
kmem_cache_free o156
kmem_cache_free o157
kmem_cache_free o158
kmem_cache_free o159
kmem_cache_free o160
kmem_cache_free o161
kmem_cache_free o162
kmem_cache_free o163
kmem_cache_free o164
kmem_cache_free o165
kmem_cache_free o166
kmem_cache_free o167
kmem_cache_free o168
kmem_cache_free o169
kmem_cache_free o170
kmem_cache_free o171
kmem_cache_free o172
kmem_cache_free o173
kmem_cache_free o174
kmem_cache_free o175
kmem_cache_free o176
kmem_cache_free o177
kmem_cache_free o178
kmem_cache_free o179
kmem_cache_free o180
kmem_cache_free o181
kmem_cache_free o182
kmem_cache_free o183
kmem_cache_free o184
kmem_cache_free o185
kmem_cache_free o186
kmem_cache_free o187
kmem_cache_free o188
kmem_cache_free o189
kmem_cache_free o190
kmem_cache_free o191
kmem_cache_free o192
kmem_cache_free o193
kmem_cache_free o194
kmem_cache_free o195
kmem_cache_free o196
kmem_cache_free o197
kmem_cache_free o198
kmem_cache_free o199
kmem_cache_free o200
kmem_cache_destroy c
check
