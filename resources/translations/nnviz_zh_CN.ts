<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name></name>
    <message>
        <source>identity: a = z (no non-linearity)</source>
        <translation>恒等：a = z（没有非线性）</translation>
    </message>
    <message>
        <source>step: 1 where z &gt; 0, else 0 (the perceptron&apos;s; its gradient is 0 everywhere)</source>
        <translation>阶跃：z &gt; 0 时为 1，否则为 0（感知机所用；其梯度处处为 0）</translation>
    </message>
    <message>
        <source>sigmoid: 1 / (1 + e^-z), between 0 and 1</source>
        <translation>sigmoid：1 / (1 + e^-z)，取值在 0 与 1 之间</translation>
    </message>
    <message>
        <source>tanh: between -1 and 1, centred on 0</source>
        <translation>tanh：取值在 -1 与 1 之间，以 0 为中心</translation>
    </message>
    <message>
        <source>ReLU: max(0, z)</source>
        <translation>ReLU：max(0, z)</translation>
    </message>
    <message>
        <source>leaky ReLU: z for z &gt; 0, 0.01 z otherwise</source>
        <translation>leaky ReLU：z &gt; 0 时为 z，否则为 0.01 z</translation>
    </message>
    <message>
        <source>PReLU: leaky ReLU whose negative slope is learned</source>
        <translation>PReLU：负半轴斜率可学习的 leaky ReLU</translation>
    </message>
    <message>
        <source>ELU: z for z &gt; 0, e^z - 1 otherwise</source>
        <translation>ELU：z &gt; 0 时为 z，否则为 e^z - 1</translation>
    </message>
    <message>
        <source>GELU: z Φ(z), a smooth ReLU</source>
        <translation>GELU：z Φ(z)，一种平滑的 ReLU</translation>
    </message>
    <message>
        <source>swish (SiLU): z sigmoid(z)</source>
        <translation>swish (SiLU)：z sigmoid(z)</translation>
    </message>
    <message>
        <source>softmax: exponentials normalised to sum to 1 over the layer&apos;s units</source>
        <translation>softmax：对该层各单元取指数并归一化，使其和为 1</translation>
    </message>
    <message>
        <source>softmax without the max subtracted (teaching): large logits overflow to NaN</source>
        <translation>未减去最大值的 softmax（教学用）：较大的 logit 会溢出为 NaN</translation>
    </message>
    <message>
        <source>AND truth table: 4 points, label 1 only at (1, 1)</source>
        <translation>AND 真值表：4 个点，仅 (1, 1) 的标签为 1</translation>
    </message>
    <message>
        <source>OR truth table: 4 points, label 0 only at (0, 0)</source>
        <translation>OR 真值表：4 个点，仅 (0, 0) 的标签为 0</translation>
    </message>
    <message>
        <source>XOR truth table: 4 points, label 1 where exactly one input is 1</source>
        <translation>XOR 真值表：4 个点，恰有一个输入为 1 时标签为 1</translation>
    </message>
    <message>
        <source>Circle (Playground): class 1 inside radius 2.5, class 0 on a ring 3.5-5</source>
        <translation>圆形（Playground）：半径 2.5 以内为类别 1，半径 3.5-5 的圆环上为类别 0</translation>
    </message>
    <message>
        <source>Exclusive or (Playground): class 1 where x1*x2 &gt;= 0</source>
        <translation>异或（Playground）：x1*x2 &gt;= 0 处为类别 1</translation>
    </message>
    <message>
        <source>Gaussian (Playground): two Gaussian blobs around (2, 2) and (-2, -2)</source>
        <translation>高斯（Playground）：分别以 (2, 2) 和 (-2, -2) 为中心的两团高斯分布</translation>
    </message>
    <message>
        <source>Spiral (Playground): two interleaved spirals</source>
        <translation>螺旋（Playground）：两条交错的螺旋</translation>
    </message>
    <message>
        <source>Plane (Playground regression): target (x1 + x2) / 10</source>
        <translation>平面（Playground 回归）：目标为 (x1 + x2) / 10</translation>
    </message>
    <message>
        <source>Multi Gaussian (Playground regression): six +/- bumps</source>
        <translation>多高斯（Playground 回归）：六个正负凸起</translation>
    </message>
    <message>
        <source>Square (regression): y = x^2 on [-1, 1], Gaussian noise of std `noise`</source>
        <translation>平方（回归）：[-1, 1] 上的 y = x^2，加标准差为 `noise` 的高斯噪声</translation>
    </message>
    <message>
        <source>PyTorch&apos;s nn.Linear default: weights and biases U(±1/√fan_in)</source>
        <translation>PyTorch nn.Linear 的默认初始化：权重和偏置服从 U(±1/√fan_in)</translation>
    </message>
    <message>
        <source>all weights 0 (every unit stays the same: symmetry is never broken)</source>
        <translation>所有权重为 0（各单元始终相同：对称性永远无法打破）</translation>
    </message>
    <message>
        <source>weights U(0, 1)</source>
        <translation>权重服从 U(0, 1)</translation>
    </message>
    <message>
        <source>weights N(0, 1)</source>
        <translation>权重服从 N(0, 1)</translation>
    </message>
    <message>
        <source>Glorot uniform: U(±√(6 / (fan_in + fan_out))); suits tanh and sigmoid</source>
        <translation>Glorot 均匀：U(±√(6 / (fan_in + fan_out)))；适合 tanh 和 sigmoid</translation>
    </message>
    <message>
        <source>Glorot normal: N(0, 2 / (fan_in + fan_out))</source>
        <translation>Glorot 正态：N(0, 2 / (fan_in + fan_out))</translation>
    </message>
    <message>
        <source>He (Kaiming) uniform: U(±√(6 / fan_in)); suits ReLU</source>
        <translation>He（Kaiming）均匀：U(±√(6 / fan_in))；适合 ReLU</translation>
    </message>
    <message>
        <source>He (Kaiming) normal: N(0, 2 / fan_in); suits ReLU</source>
        <translation>He（Kaiming）正态：N(0, 2 / fan_in)；适合 ReLU</translation>
    </message>
    <message>
        <source>dense: every unit sees every input, z = W x + b</source>
        <translation>全连接：每个单元接收所有输入，z = W x + b</translation>
    </message>
    <message>
        <source>GLU: a linear layer gated by a sigmoid of a second one</source>
        <translation>GLU：用另一个线性层的 sigmoid 作门控的线性层</translation>
    </message>
    <message>
        <source>SwiGLU: a linear layer gated by swish of a second one</source>
        <translation>SwiGLU：用另一个线性层的 swish 作门控的线性层</translation>
    </message>
    <message>
        <source>GeGLU: a linear layer gated by GELU of a second one</source>
        <translation>GeGLU：用另一个线性层的 GELU 作门控的线性层</translation>
    </message>
    <message>
        <source>batch norm: normalise each unit over the batch, then scale and shift</source>
        <translation>批归一化：对每个单元在批次上归一化，再缩放和平移</translation>
    </message>
    <message>
        <source>layer norm: normalise over the units of each sample, then scale and shift</source>
        <translation>层归一化：对每个样本的各单元归一化，再缩放和平移</translation>
    </message>
    <message>
        <source>RMS norm: divide each sample by the root mean square of its units, then scale</source>
        <translation>RMS 归一化：每个样本除以其各单元的均方根，再缩放</translation>
    </message>
    <message>
        <source>dropout: while training, zero each value with probability p</source>
        <translation>dropout：训练时以概率 p 将每个值置零</translation>
    </message>
    <message>
        <source>mean squared error: mean of (output - target)²; for regression</source>
        <translation>均方误差：(输出 - 目标)² 的平均值；用于回归</translation>
    </message>
    <message>
        <source>mean absolute error: mean of |output - target|</source>
        <translation>平均绝对误差：|输出 - 目标| 的平均值</translation>
    </message>
    <message>
        <source>Huber: squared for small errors, absolute for large ones (delta 1)</source>
        <translation>Huber：误差小时取平方，误差大时取绝对值（delta 为 1）</translation>
    </message>
    <message>
        <source>binary cross-entropy: for one sigmoid output and 0/1 labels</source>
        <translation>二元交叉熵：用于单个 sigmoid 输出和 0/1 标签</translation>
    </message>
    <message>
        <source>cross-entropy: for a softmax output with one unit per class</source>
        <translation>交叉熵：用于每个类别一个单元的 softmax 输出</translation>
    </message>
    <message>
        <source>focal loss: binary cross-entropy that down-weights easy examples</source>
        <translation>focal 损失：降低易分样本权重的二元交叉熵</translation>
    </message>
    <message>
        <source>weight decay: adds weight_decay × weight to every gradient (L2 penalty)</source>
        <translation>权重衰减：在每个梯度上加上 weight_decay × 权重（L2 惩罚）</translation>
    </message>
    <message>
        <source>eps: added to the denominator so it is never 0</source>
        <translation>eps：加到分母上，使其永不为 0</translation>
    </message>
    <message>
        <source>stochastic gradient descent (torch.optim.SGD), optionally with momentum</source>
        <translation>随机梯度下降（torch.optim.SGD），可选动量</translation>
    </message>
    <message>
        <source>momentum: how much of the previous update is kept (0 = none)</source>
        <translation>动量：保留多少上一次的更新（0 = 不保留）</translation>
    </message>
    <message>
        <source>dampening: how much the new gradient is damped when added to the momentum</source>
        <translation>阻尼：新梯度加入动量时被削弱的程度</translation>
    </message>
    <message>
        <source>Nesterov momentum: look ahead along the momentum (needs momentum &gt; 0, dampening 0)</source>
        <translation>Nesterov 动量：沿动量方向向前看（需要动量 &gt; 0，阻尼为 0）</translation>
    </message>
    <message>
        <source>Adam (torch.optim.Adam): per-weight steps from running gradient moments</source>
        <translation>Adam（torch.optim.Adam）：根据梯度的滑动矩为每个权重确定步长</translation>
    </message>
    <message>
        <source>betas: decay rates of the running mean of the gradient and of its square</source>
        <translation>betas：梯度及其平方的滑动平均的衰减率</translation>
    </message>
    <message>
        <source>AMSGrad: use the largest squared-gradient average seen so far</source>
        <translation>AMSGrad：使用迄今为止最大的梯度平方平均值</translation>
    </message>
    <message>
        <source>AdamW (torch.optim.AdamW): Adam with decoupled weight decay</source>
        <translation>AdamW（torch.optim.AdamW）：权重衰减解耦的 Adam</translation>
    </message>
    <message>
        <source>Adagrad (torch.optim.Adagrad): steps shrink with the sum of squared gradients</source>
        <translation>Adagrad（torch.optim.Adagrad）：步长随梯度平方和增大而缩小</translation>
    </message>
    <message>
        <source>learning-rate decay: lr / (1 + (t - 1) × lr_decay)</source>
        <translation>学习率衰减：lr / (1 + (t - 1) × lr_decay)</translation>
    </message>
    <message>
        <source>initial value of the sum of squared gradients</source>
        <translation>梯度平方和的初始值</translation>
    </message>
    <message>
        <source>RMSprop (torch.optim.RMSprop): steps scaled by a running mean of squared gradients</source>
        <translation>RMSprop（torch.optim.RMSprop）：用梯度平方的滑动平均缩放步长</translation>
    </message>
    <message>
        <source>alpha: smoothing constant of the running mean of squared gradients</source>
        <translation>alpha：梯度平方滑动平均的平滑常数</translation>
    </message>
    <message>
        <source>centred: normalise by the variance of the gradient rather than its mean square</source>
        <translation>中心化：用梯度的方差而非其均方进行归一化</translation>
    </message>
    <message>
        <source>Rosenblatt&apos;s perceptron rule, sample by sample; for one layer with a step activation</source>
        <translation>Rosenblatt 感知机规则，逐个样本更新；用于使用阶跃激活的单层网络</translation>
    </message>
    <message>
        <source>constant: the learning rate never changes</source>
        <translation>常数：学习率始终不变</translation>
    </message>
    <message>
        <source>step decay: multiply the learning rate by gamma every step_size steps (StepLR)</source>
        <translation>阶梯衰减：每 step_size 步将学习率乘以 gamma（StepLR）</translation>
    </message>
    <message>
        <source>step size: multiply the learning rate by gamma every this many steps</source>
        <translation>步长间隔：每隔这么多步将学习率乘以 gamma</translation>
    </message>
    <message>
        <source>gamma: the factor applied every step_size steps</source>
        <translation>gamma：每 step_size 步所乘的系数</translation>
    </message>
    <message>
        <source>cosine annealing from the learning rate down to eta_min over t_max steps</source>
        <translation>余弦退火：在 t_max 步内将学习率从初始值降到 eta_min</translation>
    </message>
    <message>
        <source>T_max: steps of one half cosine from the base learning rate down to eta_min</source>
        <translation>T_max：从基础学习率降到 eta_min 的半个余弦周期的步数</translation>
    </message>
    <message>
        <source>eta_min: the lowest learning rate of the cosine</source>
        <translation>eta_min：余弦退火的最低学习率</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Something went wrong: {error}</source>
        <translation>出错了：{error}</translation>
    </message>
    <message>
        <source>nnviz: cannot open model</source>
        <translation>nnviz：无法打开模型</translation>
    </message>
</context>
</TS>
