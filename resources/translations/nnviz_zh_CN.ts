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
        <source>The step function&apos;s derivative is 0 everywhere: no gradient reaches the weights. This is why the perceptron is trained by Rosenblatt&apos;s rule instead.</source>
        <translation>阶跃函数的导数处处为 0：没有梯度能到达权重。这就是感知机改用 Rosenblatt 规则训练的原因。</translation>
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
        <source>ReLU passes the gradient where z &gt; 0 and blocks it where z ≤ 0.</source>
        <translation>ReLU 在 z &gt; 0 处让梯度通过，在 z ≤ 0 处将其阻断。</translation>
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
        <source>Handwritten digits (UCI, Alpaydin &amp; Kaynak 1998, CC BY 4.0): 1,797 pictures of 8 × 8 pixels 0-16, 10 classes; inputs scaled to [0, 1]</source>
        <translation>手写数字（UCI，Alpaydin &amp; Kaynak 1998，CC BY 4.0）：1,797 张 8 × 8 像素、取值 0-16 的图片，10 个类别；输入缩放到 [0, 1]</translation>
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
        <source>Dense</source>
        <translation>全连接</translation>
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
        <source>Dropout</source>
        <translation>Dropout</translation>
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
        <source>The output is not a sigmoid, so p = σ(a): the loss works on logits.</source>
        <translation>输出不是 sigmoid，因此 p = σ(a)：该损失作用于 logit。</translation>
    </message>
    <message>
        <source>binary cross-entropy: for one sigmoid output and 0/1 labels</source>
        <translation>二元交叉熵：用于单个 sigmoid 输出和 0/1 标签</translation>
    </message>
    <message>
        <source>Computed from z as softplus(z) − y·z, which equals the formula but cannot overflow (PyTorch&apos;s BCEWithLogitsLoss).</source>
        <translation>由 z 按 softplus(z) − y·z 计算，与公式相等但不会溢出（即 PyTorch 的 BCEWithLogitsLoss）。</translation>
    </message>
    <message>
        <source>cross-entropy: for a softmax output with one unit per class</source>
        <translation>交叉熵：用于每个类别一个单元的 softmax 输出</translation>
    </message>
    <message>
        <source>The output is not a softmax, so p = softmax(a): the loss works on logits.</source>
        <translation>输出不是 softmax，因此 p = softmax(a)：该损失作用于 logit。</translation>
    </message>
    <message>
        <source>The target is class {unit} (target {target}): only the probability of output unit {unit} counts.</source>
        <translation>目标是第 {unit} 类（目标 {target}）：只有输出单元 {unit} 的概率起作用。</translation>
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
        <source>Weight decay λ = {wd} is added to the gradient (L2 style).</source>
        <translation>权重衰减 λ = {wd} 加到梯度上（L2 方式）。</translation>
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
        <source>Momentum μ = {mu}, dampening τ = {tau}, Nesterov.</source>
        <translation>动量 μ = {mu}，阻尼 τ = {tau}，Nesterov。</translation>
    </message>
    <message>
        <source>Momentum μ = {mu}, dampening τ = {tau}.</source>
        <translation>动量 μ = {mu}，阻尼 τ = {tau}。</translation>
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
        <source>AdamW decays the weights directly (decoupled), λ = {wd}.</source>
        <translation>AdamW 直接衰减权重（解耦），λ = {wd}。</translation>
    </message>
    <message>
        <source>Bias corrections: 1 − β1^t = 1 − {b1}^{t} = {bc1}, 1 − β2^t = 1 − {b2}^{t} = {bc2}; ε = {eps}.</source>
        <translation>偏差校正：1 − β1^t = 1 − {b1}^{t} = {bc1}，1 − β2^t = 1 − {b2}^{t} = {bc2}；ε = {eps}。</translation>
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
        <source>lr decays: lr / (1 + (t − 1)·lr_decay) = {lr}.</source>
        <translation>lr 衰减：lr / (1 + (t − 1)·lr_decay) = {lr}。</translation>
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
        <source>nnviz models (*.json *.toml);;All files (*)</source>
        <translation>nnviz 模型 (*.json *.toml);;所有文件 (*)</translation>
    </message>
    <message>
        <source>nnviz models and PyTorch weights (*.json *.toml *.safetensors);;nnviz models (*.json *.toml);;PyTorch weights (*.safetensors);;All files (*)</source>
        <translation>nnviz 模型和 PyTorch 权重 (*.json *.toml *.safetensors);;nnviz 模型 (*.json *.toml);;PyTorch 权重 (*.safetensors);;所有文件 (*)</translation>
    </message>
    <message>
        <source>test accuracy {percent}%</source>
        <translation>测试准确率 {percent}%</translation>
    </message>
    <message>
        <source>train accuracy {percent}%</source>
        <translation>训练准确率 {percent}%</translation>
    </message>
    <message>
        <source>The steps of the lesson open, and its exercise</source>
        <translation>当前课程的各个步骤及其练习</translation>
    </message>
    <message>
        <source>Play or pause training (Space)</source>
        <translation>开始或暂停训练（空格）</translation>
    </message>
    <message>
        <source>Take one optimizer step (Right arrow)</source>
        <translation>执行一步优化（右方向键）</translation>
    </message>
    <message>
        <source>Step epoch</source>
        <translation>前进一轮</translation>
    </message>
    <message>
        <source>Train until one more epoch of data has been seen (Ctrl+Right)</source>
        <translation>训练到再看完一轮数据为止（Ctrl+右方向键）</translation>
    </message>
    <message>
        <source>Reset</source>
        <translation>重置</translation>
    </message>
    <message>
        <source>Re-initialise the weights from the seed and start again (Ctrl+R)</source>
        <translation>按随机种子重新初始化权重并从头开始（Ctrl+R）</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>Start again from the default model</source>
        <translation>从默认模型重新开始</translation>
    </message>
    <message>
        <source>Open…</source>
        <translation>打开…</translation>
    </message>
    <message>
        <source>Open a model document (Ctrl+O)</source>
        <translation>打开模型文件（Ctrl+O）</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Save the model with its trained state (Ctrl+S)</source>
        <translation>保存模型及其训练状态（Ctrl+S）</translation>
    </message>
    <message>
        <source>Save As…</source>
        <translation>另存为…</translation>
    </message>
    <message>
        <source>Save the model to a new file</source>
        <translation>把模型保存为新文件</translation>
    </message>
    <message>
        <source>Import CSV data…</source>
        <translation>导入 CSV 数据…</translation>
    </message>
    <message>
        <source>Train on the columns of a CSV file</source>
        <translation>用 CSV 文件的列进行训练</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <source>Quit nnviz</source>
        <translation>退出 nnviz</translation>
    </message>
    <message>
        <source>Compare…</source>
        <translation>比较…</translation>
    </message>
    <message>
        <source>Fork the run into up to four lanes with other settings and train them side by side (Ctrl+K)</source>
        <translation>把本次训练分成至多四条设置不同的跑道，并排训练（Ctrl+K）</translation>
    </message>
    <message>
        <source>Step through</source>
        <translation>逐步执行</translation>
    </message>
    <message>
        <source>Follow one training step operation by operation, with every number (Ctrl+T); Right/Left arrows move, Home/End jump</source>
        <translation>逐个运算地跟踪一步训练，显示每个数值（Ctrl+T）；左右方向键移动，Home/End 跳到首尾</translation>
    </message>
    <message>
        <source>Next operation</source>
        <translation>下一个运算</translation>
    </message>
    <message>
        <source>The next operation of the step (Right arrow)</source>
        <translation>这一步的下一个运算（右方向键）</translation>
    </message>
    <message>
        <source>Previous operation</source>
        <translation>上一个运算</translation>
    </message>
    <message>
        <source>The operation before (Left arrow)</source>
        <translation>上一个运算（左方向键）</translation>
    </message>
    <message>
        <source>First operation</source>
        <translation>第一个运算</translation>
    </message>
    <message>
        <source>Back to the first operation (Home)</source>
        <translation>回到第一个运算（Home）</translation>
    </message>
    <message>
        <source>Last operation</source>
        <translation>最后一个运算</translation>
    </message>
    <message>
        <source>The last operation: the update (End)</source>
        <translation>最后一个运算：参数更新（End）</translation>
    </message>
    <message>
        <source>Save as lesson…</source>
        <translation>另存为课程…</translation>
    </message>
    <message>
        <source>Save the model as a lesson: the panels shown now, and the controls it hides or locks</source>
        <translation>把模型保存为课程：当前显示的面板，以及课程隐藏或锁定的控件</translation>
    </message>
    <message>
        <source>Presentation mode</source>
        <translation>演示模式</translation>
    </message>
    <message>
        <source>Full screen, large text, the lesson&apos;s layout, driven from the keyboard: Page Down/Up or the arrows for Next/Back, Space to play, Esc to leave (F5)</source>
        <translation>全屏、大字号、课程的布局，用键盘操作：Page Down/Up 或方向键前进/后退，空格开始训练，Esc 退出（F5）</translation>
    </message>
    <message>
        <source>Leave presentation mode</source>
        <translation>退出演示模式</translation>
    </message>
    <message>
        <source>Back to the window as it was (Esc)</source>
        <translation>恢复原来的窗口（Esc）</translation>
    </message>
    <message>
        <source>Next lesson step</source>
        <translation>课程下一步</translation>
    </message>
    <message>
        <source>The lesson&apos;s next step (Page Down)</source>
        <translation>课程的下一步（Page Down）</translation>
    </message>
    <message>
        <source>Previous lesson step</source>
        <translation>课程上一步</translation>
    </message>
    <message>
        <source>The lesson&apos;s step before (Page Up)</source>
        <translation>课程的上一步（Page Up）</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>Open Recent</source>
        <translation>最近打开</translation>
    </message>
    <message>
        <source>&amp;Train</source>
        <translation>训练(&amp;T)</translation>
    </message>
    <message>
        <source>E&amp;xamples</source>
        <translation>示例(&amp;X)</translation>
    </message>
    <message>
        <source>Exercises</source>
        <translation>练习</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Getting started</source>
        <translation>快速入门</translation>
    </message>
    <message>
        <source>The welcome: where to start</source>
        <translation>欢迎信息：从哪里开始</translation>
    </message>
    <message>
        <source>The manual (the README), offline (F1)</source>
        <translation>使用手册（README），离线可用（F1）</translation>
    </message>
    <message>
        <source>Every keyboard shortcut of the window</source>
        <translation>窗口的全部键盘快捷键</translation>
    </message>
    <message>
        <source>Lessons…</source>
        <translation>课程…</translation>
    </message>
    <message>
        <source>The lessons that ship with nnviz (also in the Examples menu)</source>
        <translation>nnviz 自带的课程（也在“示例”菜单中）</translation>
    </message>
    <message>
        <source>Version, licence, and the Qt and PySide6 nnviz runs on</source>
        <translation>版本、许可证，以及 nnviz 所用的 Qt 和 PySide6</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>viewing step {step} of {live}</source>
        <translation>正在查看第 {step} 步（共 {live} 步）</translation>
    </message>
    <message>
        <source>epoch {epoch}</source>
        <translation>轮次 {epoch}</translation>
    </message>
    <message>
        <source>train loss {loss}</source>
        <translation>训练损失 {loss}</translation>
    </message>
    <message>
        <source>test loss {loss}</source>
        <translation>测试损失 {loss}</translation>
    </message>
    <message>
        <source>{rate} steps/s</source>
        <translation>{rate} 步/秒</translation>
    </message>
    <message>
        <source>Training diverged</source>
        <translation>训练发散</translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation>已保存 {path}</translation>
    </message>
    <message>
        <source>Step through is off while training plays (Ctrl+T turns it on again)</source>
        <translation>训练进行时单步跟踪已关闭（按 Ctrl+T 重新打开）</translation>
    </message>
    <message>
        <source>Weight W{n}[{unit},{source}]: layer {n}, from unit {source} to unit {unit}</source>
        <translation>权重 W{n}[{unit},{source}]：第 {n} 层，从单元 {source} 到单元 {unit}</translation>
    </message>
    <message>
        <source>Bias b{n}[{unit}]: layer {n}, unit {unit}</source>
        <translation>偏置 b{n}[{unit}]：第 {n} 层，单元 {unit}</translation>
    </message>
    <message>
        <source>Input {unit} of training row {row}</source>
        <translation>训练样本第 {row} 行的输入 {unit}</translation>
    </message>
    <message>
        <source>Double-click a weight (edge), a bias (neuron) or, while stepping through, an input to change it.</source>
        <translation>双击权重（连线）、偏置（神经元），或在单步跟踪时双击输入，即可修改它。</translation>
    </message>
    <message>
        <source>Cannot open example</source>
        <translation>无法打开示例</translation>
    </message>
    <message>
        <source>panels {names}</source>
        <translation>面板 {names}</translation>
    </message>
    <message>
        <source>controls {names}</source>
        <translation>控件 {names}</translation>
    </message>
    <message>
        <source>The lesson names {what} this version of nnviz does not have: left out</source>
        <translation>课程提到了本版本 nnviz 没有的{what}：已略去</translation>
    </message>
    <message>
        <source> and </source>
        <translation>和</translation>
    </message>
    <message>
        <source>Exercise solved in {steps} steps</source>
        <translation>练习完成，用了 {steps} 步</translation>
    </message>
    <message>
        <source>Cannot save as lesson</source>
        <translation>无法另存为课程</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>未保存的更改</translation>
    </message>
    <message>
        <source>The model has unsaved changes. Save them first?</source>
        <translation>模型有未保存的更改。先保存吗？</translation>
    </message>
    <message>
        <source>Open model</source>
        <translation>打开模型</translation>
    </message>
    <message>
        <source>Cannot open model</source>
        <translation>无法打开模型</translation>
    </message>
    <message>
        <source>Imported from PyTorch</source>
        <translation>已从 PyTorch 导入</translation>
    </message>
    <message>
        <source>Save model</source>
        <translation>保存模型</translation>
    </message>
    <message>
        <source>CSV files (*.csv *.txt);;All files (*)</source>
        <translation>CSV 文件 (*.csv *.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <source>{name}[*] — nnviz</source>
        <translation>{name}[*] — nnviz</translation>
    </message>
    <message>
        <source>Something went wrong: {error}</source>
        <translation>出错了：{error}</translation>
    </message>
    <message>
        <source>nnviz: cannot open model</source>
        <translation>nnviz：无法打开模型</translation>
    </message>
    <message>
        <source>every frame of a GIF must have the size of the first</source>
        <translation>GIF 的每一帧都必须与第一帧大小相同</translation>
    </message>
    <message>
        <source>{path}: a GIF needs Pillow: {command}</source>
        <translation>{path}：GIF 需要 Pillow：{command}</translation>
    </message>
    <message>
        <source>{path}: an MP4 needs imageio: {command}</source>
        <translation>{path}：MP4 需要 imageio：{command}</translation>
    </message>
    <message>
        <source>{path}: MP4 needs an encoder: {command} (imageio-ffmpeg), or record a .gif</source>
        <translation>{path}：MP4 需要编码器：{command}（imageio-ffmpeg），或改为录制 .gif</translation>
    </message>
    <message>
        <source>{path}: the frame rate must be between 0 and 60 frames per second, got {fps}</source>
        <translation>{path}：帧率必须在每秒 0 到 60 帧之间，实际为 {fps}</translation>
    </message>
    <message>
        <source>{path}: the frame width must be at least 16 pixels, got {width}</source>
        <translation>{path}：帧宽度至少为 16 像素，实际为 {width}</translation>
    </message>
    <message>
        <source>{path}: at most {frames} frames per recording</source>
        <translation>{path}：每次录制最多 {frames} 帧</translation>
    </message>
    <message>
        <source>frame {frame}</source>
        <translation>第 {frame} 帧</translation>
    </message>
    <message>
        <source>{path}: no frames were recorded</source>
        <translation>{path}：没有录制到任何帧</translation>
    </message>
    <message>
        <source>Branch at step {step}</source>
        <translation>在第 {step} 步分支</translation>
    </message>
    <message>
        <source>Go back to step {step} and train on from there with:</source>
        <translation>回到第 {step} 步，并从那里使用以下设置继续训练：</translation>
    </message>
    <message>
        <source>The optimizer of the new course</source>
        <translation>新路线的优化器</translation>
    </message>
    <message>
        <source>Optimizer</source>
        <translation>优化器</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>The course the run took from this step stays on the loss plot.</source>
        <translation>本次运行从这一步起原先的路线会保留在损失曲线图上。</translation>
    </message>
    <message>
        <source>Branch</source>
        <translation>分支</translation>
    </message>
    <message>
        <source>before the branch at step {step}</source>
        <translation>第 {step} 步分支之前</translation>
    </message>
    <message>
        <source>Learning rate: expected a positive number, got {text}</source>
        <translation>学习率：应为正数，实际为 {text}</translation>
    </message>
    <message>
        <source>Change the optimizer or the learning rate: the new course would be the old one</source>
        <translation>请更改优化器或学习率：否则新路线与原路线相同</translation>
    </message>
    <message>
        <source>as the run</source>
        <translation>不变</translation>
    </message>
    <message>
        <source>full</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Lane {number}</source>
        <translation>通道 {number}</translation>
    </message>
    <message>
        <source>Hidden layers&apos; activation</source>
        <translation>隐藏层的激活函数</translation>
    </message>
    <message>
        <source>Initialiser (draws new starting weights)</source>
        <translation>初始化方法（重新抽取初始权重）</translation>
    </message>
    <message>
        <source>Lane {number} optimizer</source>
        <translation>通道 {number} 优化器</translation>
    </message>
    <message>
        <source>Lane {number} learning rate</source>
        <translation>通道 {number} 学习率</translation>
    </message>
    <message>
        <source>Lane {number} activation</source>
        <translation>通道 {number} 激活函数</translation>
    </message>
    <message>
        <source>Lane {number} initialiser</source>
        <translation>通道 {number} 初始化方法</translation>
    </message>
    <message>
        <source>Lane {number} batch size</source>
        <translation>通道 {number} 批大小</translation>
    </message>
    <message>
        <source>Lane {number}: the learning rate must be a positive number, got {text}</source>
        <translation>通道 {number}：学习率必须为正数，实际为 {text}</translation>
    </message>
    <message>
        <source>Lane {number}: the batch size must be a whole number from 1 up to {rows} (the training rows) or &apos;full&apos;, got {text}</source>
        <translation>通道 {number}：批大小必须是 1 到 {rows}（训练行数）之间的整数或“全部”（&apos;full&apos;），实际为 {text}</translation>
    </message>
    <message>
        <source>Lane {number}: the batch size must be a whole number from 1 or &apos;full&apos;, got {text}</source>
        <translation>通道 {number}：批大小必须是不小于 1 的整数或“全部”（&apos;full&apos;），实际为 {text}</translation>
    </message>
    <message>
        <source>Compare runs</source>
        <translation>比较运行</translation>
    </message>
    <message>
        <source>Each lane starts from the run as it is now — the same weights and the same batches — and trains with its own settings, in step with the others.</source>
        <translation>每个通道都从当前的运行状态出发——相同的权重、相同的批次——使用各自的设置，与其他通道同步训练。</translation>
    </message>
    <message>
        <source>Activation</source>
        <translation>激活函数</translation>
    </message>
    <message>
        <source>Initialiser</source>
        <translation>初始化方法</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <source>Optimizer race</source>
        <translation>优化器竞赛</translation>
    </message>
    <message>
        <source>Four lanes: SGD, SGD with momentum, RMSprop and Adam, each at its usual rate</source>
        <translation>四个通道：SGD、带动量的 SGD、RMSprop 和 Adam，各用其常用学习率</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>比较</translation>
    </message>
    <message>
        <source>Switch on at least two lanes: a comparison needs two runs to set side by side</source>
        <translation>请至少开启两个通道：比较需要两个并排的运行</translation>
    </message>
    <message>
        <source>Make this lane the main run (the comparison ends)</source>
        <translation>将该通道设为主运行（比较随之结束）</translation>
    </message>
    <message>
        <source>Take this lane out of the comparison</source>
        <translation>将该通道移出比较</translation>
    </message>
    <message>
        <source>Keep lane {number}</source>
        <translation>保留通道 {number}</translation>
    </message>
    <message>
        <source>Close lane {number}</source>
        <translation>关闭通道 {number}</translation>
    </message>
    <message>
        <source>(diverged)</source>
        <translation>（已发散）</translation>
    </message>
    <message>
        <source>Compare runs — {data}</source>
        <translation>比较运行 — {data}</translation>
    </message>
    <message>
        <source>the run before</source>
        <translation>之前的运行</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>播放</translation>
    </message>
    <message>
        <source>Train every lane, in step (Space)</source>
        <translation>同步训练所有通道（空格键）</translation>
    </message>
    <message>
        <source>Step</source>
        <translation>单步</translation>
    </message>
    <message>
        <source>One step in every lane</source>
        <translation>每个通道训练一步</translation>
    </message>
    <message>
        <source>Steps / second</source>
        <translation>步数 / 秒</translation>
    </message>
    <message>
        <source>test loss</source>
        <translation>测试损失</translation>
    </message>
    <message>
        <source>train accuracy</source>
        <translation>训练准确率</translation>
    </message>
    <message>
        <source>test accuracy</source>
        <translation>测试准确率</translation>
    </message>
    <message>
        <source>the data</source>
        <translation>数据</translation>
    </message>
    <message>
        <source>the batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <source>the hidden layers&apos; sizes</source>
        <translation>隐藏层大小</translation>
    </message>
    <message>
        <source>the hidden activations</source>
        <translation>隐藏层激活函数</translation>
    </message>
    <message>
        <source>the output activation</source>
        <translation>输出激活函数</translation>
    </message>
    <message>
        <source>the initialiser</source>
        <translation>初始化方法</translation>
    </message>
    <message>
        <source>the loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>the optimizer (its rate apart)</source>
        <translation>优化器（学习率除外）</translation>
    </message>
    <message>
        <source>the learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>the schedule</source>
        <translation>学习率调度</translation>
    </message>
    <message>
        <source>the L1 and L2 rates</source>
        <translation>L1 和 L2 系数</translation>
    </message>
    <message>
        <source>gradient clipping</source>
        <translation>梯度裁剪</translation>
    </message>
    <message>
        <source>the seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>{items}, {item}</source>
        <translation>{items}、{item}</translation>
    </message>
    <message>
        <source>{metric} ≤ {value}</source>
        <translation>{metric} ≤ {value}</translation>
    </message>
    <message>
        <source>{metric} ≥ {value}%</source>
        <translation>{metric} ≥ {value}%</translation>
    </message>
    <message>
        <source>{target} within 1 step</source>
        <translation>1 步内{target}</translation>
    </message>
    <message>
        <source>{target} within {count} steps</source>
        <translation>{count} 步内{target}</translation>
    </message>
    <message>
        <source>at most 1 hidden unit</source>
        <translation>最多 1 个隐藏单元</translation>
    </message>
    <message>
        <source>at most {count} hidden units</source>
        <translation>最多 {count} 个隐藏单元</translation>
    </message>
    <message>
        <source>at most 1 hidden layer</source>
        <translation>最多 1 个隐藏层</translation>
    </message>
    <message>
        <source>at most {count} hidden layers</source>
        <translation>最多 {count} 个隐藏层</translation>
    </message>
    <message>
        <source>keep {things}</source>
        <translation>保持{things}不变</translation>
    </message>
    <message>
        <source>test acc</source>
        <translation>测试准确率</translation>
    </message>
    <message>
        <source>step</source>
        <translation>步数</translation>
    </message>
    <message>
        <source>Difference of lane</source>
        <translation>比较分歧的通道</translation>
    </message>
    <message>
        <source>and lane</source>
        <translation>与通道</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>查看</translation>
    </message>
    <message>
        <source>and</source>
        <translation>与</translation>
    </message>
    <message>
        <source>disagree</source>
        <translation>的分歧之处</translation>
    </message>
    <message>
        <source>Around lane</source>
        <translation>围绕通道</translation>
    </message>
    <message>
        <source>Around</source>
        <translation>围绕</translation>
    </message>
    <message>
        <source>(every lane&apos;s path drawn on its plane)</source>
        <translation>（每个通道的路径都画在该平面上）</translation>
    </message>
    <message>
        <source>Difference</source>
        <translation>差异</translation>
    </message>
    <message>
        <source>Landscape</source>
        <translation>损失地形</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>train loss</source>
        <translation>训练损失</translation>
    </message>
    <message>
        <source>train acc</source>
        <translation>训练准确率</translation>
    </message>
    <message>
        <source>step {step}</source>
        <translation>第 {step} 步</translation>
    </message>
    <message>
        <source>lane {number}: {figure}</source>
        <translation>通道 {number}：{figure}</translation>
    </message>
    <message>
        <source>The data have no input plane to compare (two inputs are needed).</source>
        <translation>数据没有可比较的输入平面（需要两个输入）。</translation>
    </message>
    <message>
        <source>Lanes {a} and {b} predict different classes on {percent}% of the plane (red).</source>
        <translation>通道 {a} 和 {b} 在 {percent}% 的平面上预测的类别不同（红色）。</translation>
    </message>
    <message>
        <source>|output of lane {a} − output of lane {b}|, largest {top}.</source>
        <translation>|通道 {a} 的输出 − 通道 {b} 的输出|，最大 {top}。</translation>
    </message>
    <message>
        <source>The last lane cannot be closed; close the window to end the comparison</source>
        <translation>不能关闭最后一个通道；关闭窗口即可结束比较</translation>
    </message>
    <message>
        <source>diverged</source>
        <translation>已发散</translation>
    </message>
    <message>
        <source>loss {loss}</source>
        <translation>损失 {loss}</translation>
    </message>
    <message>
        <source>out</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Layer type: dense, gated linear units (glu, swiglu, geglu), normalisation (batchnorm, layernorm, rmsnorm) or dropout</source>
        <translation>层类型：全连接（dense）、门控线性单元（glu、swiglu、geglu）、归一化（batchnorm、layernorm、rmsnorm）或 dropout</translation>
    </message>
    <message>
        <source>Units (neurons) of this layer</source>
        <translation>该层的单元（神经元）数</translation>
    </message>
    <message>
        <source>Normalisation and dropout layers keep the width of their input</source>
        <translation>归一化层和 dropout 层保持输入的宽度</translation>
    </message>
    <message>
        <source>Activation applied to this layer&apos;s output</source>
        <translation>作用于该层输出的激活函数</translation>
    </message>
    <message>
        <source>Dropout probability: the chance that each value is zeroed while training (the rest are scaled by 1 / (1 - p)); nothing is dropped at evaluation</source>
        <translation>Dropout 概率：训练时每个值被置零的概率（其余值乘以 1 / (1 - p)）；评估时不丢弃任何值</translation>
    </message>
    <message>
        <source>Remove this layer</source>
        <translation>删除该层</translation>
    </message>
    <message>
        <source>Hidden layer {index}</source>
        <translation>隐藏层 {index}</translation>
    </message>
    <message>
        <source>Layer {index} type</source>
        <translation>第 {index} 层类型</translation>
    </message>
    <message>
        <source>Layer {index} units</source>
        <translation>第 {index} 层单元数</translation>
    </message>
    <message>
        <source>Layer {index} activation</source>
        <translation>第 {index} 层激活函数</translation>
    </message>
    <message>
        <source>Layer {index} dropout p</source>
        <translation>第 {index} 层 dropout p</translation>
    </message>
    <message>
        <source>Remove layer {index}</source>
        <translation>删除第 {index} 层</translation>
    </message>
    <message>
        <source>Architecture</source>
        <translation>网络结构</translation>
    </message>
    <message>
        <source>The layers of the network</source>
        <translation>网络的各层</translation>
    </message>
    <message>
        <source>The network&apos;s inputs: the chosen features, or the CSV input columns</source>
        <translation>网络的输入：所选特征，或 CSV 的输入列</translation>
    </message>
    <message>
        <source>Inputs</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>+ Add layer</source>
        <translation>+ 添加层</translation>
    </message>
    <message>
        <source>Add a hidden layer before the output layer</source>
        <translation>在输出层之前添加一个隐藏层</translation>
    </message>
    <message>
        <source>How the weights of dense and glu layers are initialised</source>
        <translation>全连接层和 glu 层权重的初始化方式</translation>
    </message>
    <message>
        <source>The output layer</source>
        <translation>输出层</translation>
    </message>
    <message>
        <source>Type of the output layer</source>
        <translation>输出层的类型</translation>
    </message>
    <message>
        <source>Output units</source>
        <translation>输出单元数</translation>
    </message>
    <message>
        <source>Output units are fitted to the data: one per target column (one per class with cross-entropy)</source>
        <translation>输出单元数由数据决定：每个目标列一个（使用交叉熵时每个类别一个）</translation>
    </message>
    <message>
        <source>Activation of the output layer: sigmoid for 0/1 labels, softmax for classes, identity for regression</source>
        <translation>输出层的激活函数：0/1 标签用 sigmoid，多类别用 softmax，回归用 identity</translation>
    </message>
    <message>
        <source>Output activation</source>
        <translation>输出激活函数</translation>
    </message>
    <message>
        <source>Fraction of the points held out as test data (never trained on); 0 trains on everything</source>
        <translation>留作测试数据的点所占比例（从不用于训练）；0 表示全部用于训练</translation>
    </message>
    <message>
        <source>None</source>
        <translation>不缩放</translation>
    </message>
    <message>
        <source>[0, 1] (min-max)</source>
        <translation>[0, 1]（最小-最大）</translation>
    </message>
    <message>
        <source>Standardise</source>
        <translation>标准化</translation>
    </message>
    <message>
        <source>The inputs go in as they are</source>
        <translation>输入原样送入网络</translation>
    </message>
    <message>
        <source>Each input mapped to [0, 1] by the lowest and highest value of the training rows (the pixels of a picture share one scale)</source>
        <translation>按训练样本的最小值和最大值把每个输入映射到 [0, 1]（一张图片的所有像素共用一个尺度）</translation>
    </message>
    <message>
        <source>Each input shifted by the mean and divided by the standard deviation of the training rows (the pixels of a picture share one mean and one deviation)</source>
        <translation>每个输入减去训练样本的均值再除以标准差（一张图片的所有像素共用一个均值和一个标准差）</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <source>Which data the network learns and how it is fed</source>
        <translation>网络学习哪些数据，以及数据如何送入网络</translation>
    </message>
    <message>
        <source>The data set to learn</source>
        <translation>要学习的数据集</translation>
    </message>
    <message>
        <source>Data set</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>Noise, on Playground&apos;s scale (its slider / 100): moves points or flips labels. For &apos;square&apos; it is the standard deviation of the target noise. The truth tables, the digits and imported CSV data have none.</source>
        <translation>噪声，采用 Playground 的刻度（其滑块值 / 100）：移动数据点或翻转标签。对 &apos;square&apos; 而言是目标噪声的标准差。真值表、手写数字和导入的 CSV 数据没有噪声。</translation>
    </message>
    <message>
        <source>Noise</source>
        <translation>噪声</translation>
    </message>
    <message>
        <source>Test split</source>
        <translation>测试集比例</translation>
    </message>
    <message>
        <source>Batch size: training points per optimizer step</source>
        <translation>批大小：每步优化使用的训练点数</translation>
    </message>
    <message>
        <source>Full batch</source>
        <translation>全批量</translation>
    </message>
    <message>
        <source>Use every training point in each step (batch gradient descent)</source>
        <translation>每一步都使用全部训练点（批量梯度下降）</translation>
    </message>
    <message>
        <source>Input scaling</source>
        <translation>输入缩放</translation>
    </message>
    <message>
        <source>What the inputs go through before the network reads them; the numbers come from the training rows only and are saved with the model</source>
        <translation>输入在送入网络之前经过的变换；所用数值只来自训练样本，并随模型一起保存</translation>
    </message>
    <message>
        <source>Scale to [0, 1]</source>
        <translation>缩放到 [0, 1]</translation>
    </message>
    <message>
        <source>Scale every input to [0, 1] by the training rows&apos; lowest and highest values</source>
        <translation>按训练样本的最小值和最大值把每个输入缩放到 [0, 1]</translation>
    </message>
    <message>
        <source>Feed the network the input feature {name} (computed from the two coordinates); at least one must stay on. Only for 2-D data.</source>
        <translation>把输入特征 {name}（由两个坐标计算得到）送入网络；至少要保留一个。仅适用于二维数据。</translation>
    </message>
    <message>
        <source>Features</source>
        <translation>特征</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <source>Draw new points: the same data set with the next data seed</source>
        <translation>重新抽取数据点：同一数据集，使用下一个数据种子</translation>
    </message>
    <message>
        <source>Import CSV…</source>
        <translation>导入 CSV…</translation>
    </message>
    <message>
        <source>Load your own data from a CSV file and choose its input and target columns</source>
        <translation>从 CSV 文件载入自己的数据，并选择输入列和目标列</translation>
    </message>
    <message>
        <source>model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>The model document&apos;s own rows: {rows}</source>
        <translation>模型文件自带的数据：{rows}</translation>
    </message>
    <message>
        <source>Imported from a CSV file: {rows}</source>
        <translation>从 CSV 文件导入：{rows}</translation>
    </message>
    <message>
        <source>Inputs reach {value}: units saturate or die. Scale them?</source>
        <translation>输入最大达到 {value}：神经元会饱和或死亡。要缩放吗？</translation>
    </message>
    <message>
        <source>{rows} points: all are used for training and testing</source>
        <translation>{rows} 个点：全部用于训练和测试</translation>
    </message>
    <message>
        <source>Too few points to hold some out as test data: all {rows} are trained on, and the scores are on them too</source>
        <translation>数据点太少，无法留出测试数据：全部 {rows} 个点都用于训练，评分也在这些点上计算</translation>
    </message>
    <message>
        <source>Import CSV data</source>
        <translation>导入 CSV 数据</translation>
    </message>
    <message>
        <source>CSV files (*.csv *.tsv *.txt);;All files (*)</source>
        <translation>CSV 文件 (*.csv *.tsv *.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Why the last typed value was refused</source>
        <translation>上次输入的值被拒绝的原因</translation>
    </message>
    <message>
        <source>nnviz controls</source>
        <translation>nnviz 控制面板</translation>
    </message>
    <message>
        <source>momentum</source>
        <translation>动量</translation>
    </message>
    <message>
        <source>dampening</source>
        <translation>阻尼</translation>
    </message>
    <message>
        <source>weight decay</source>
        <translation>权重衰减</translation>
    </message>
    <message>
        <source>centered</source>
        <translation>中心化</translation>
    </message>
    <message>
        <source>lr decay</source>
        <translation>学习率衰减</translation>
    </message>
    <message>
        <source>initial accumulator value</source>
        <translation>累加器初始值</translation>
    </message>
    <message>
        <source>step size</source>
        <translation>步长</translation>
    </message>
    <message>
        <source>eta min</source>
        <translation>最小学习率</translation>
    </message>
    <message>
        <source>t max</source>
        <translation>周期步数</translation>
    </message>
    <message>
        <source>max</source>
        <translation>最快</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Loss, optimizer and learning-rate settings</source>
        <translation>损失、优化器和学习率设置</translation>
    </message>
    <message>
        <source>The loss the optimizer minimises</source>
        <translation>优化器要最小化的损失</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>The optimizer (PyTorch semantics and defaults)</source>
        <translation>优化器（采用 PyTorch 的语义和默认值）</translation>
    </message>
    <message>
        <source>learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>Learning rate: the size of each step (any number &gt; 0; press Enter)</source>
        <translation>学习率：每一步的大小（任意 &gt; 0 的数；按回车确认）</translation>
    </message>
    <message>
        <source>How the learning rate changes over steps</source>
        <translation>学习率随步数变化的方式</translation>
    </message>
    <message>
        <source>Schedule</source>
        <translation>学习率调度</translation>
    </message>
    <message>
        <source>Warm-up: the learning rate rises linearly from lr/W to lr over the first W steps (0 = none)</source>
        <translation>预热：在前 W 步内学习率从 lr/W 线性增加到 lr（0 = 不预热）</translation>
    </message>
    <message>
        <source>Warm-up steps</source>
        <translation>预热步数</translation>
    </message>
    <message>
        <source>L1 rate</source>
        <translation>L1 系数</translation>
    </message>
    <message>
        <source>L1 regularisation rate: adds rate × Σ|w| to the loss (pushes weights to 0)</source>
        <translation>L1 正则化系数：在损失上加上 rate × Σ|w|（把权重推向 0）</translation>
    </message>
    <message>
        <source>L2 rate</source>
        <translation>L2 系数</translation>
    </message>
    <message>
        <source>L2 regularisation rate: adds rate × Σw² / 2 to the loss (keeps weights small)</source>
        <translation>L2 正则化系数：在损失上加上 rate × Σw² / 2（使权重保持较小）</translation>
    </message>
    <message>
        <source>max norm</source>
        <translation>最大范数</translation>
    </message>
    <message>
        <source>Clip gradients: scale the whole gradient down when its norm exceeds the maximum</source>
        <translation>梯度裁剪：当梯度范数超过最大值时，将整个梯度按比例缩小</translation>
    </message>
    <message>
        <source>Largest gradient norm allowed when clipping (&gt; 0)</source>
        <translation>裁剪时允许的最大梯度范数（&gt; 0）</translation>
    </message>
    <message>
        <source>Clip gradient</source>
        <translation>梯度裁剪</translation>
    </message>
    <message>
        <source>Seed of the initial weights and of the batch shuffling</source>
        <translation>初始权重和批次打乱所用的随机种子</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>Optimizer steps per second, whatever the frame rate; &apos;max&apos; trains as fast as the machine can</source>
        <translation>每秒的优化步数，与帧率无关；“最快”表示以机器允许的最快速度训练</translation>
    </message>
    <message>
        <source>{where}: {text} is not a number</source>
        <translation>{where}：{text} 不是数字</translation>
    </message>
    <message>
        <source>{tip} (click to fold)</source>
        <translation>{tip}（点击折叠）</translation>
    </message>
    <message>
        <source>input</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>ℓ is the loss of {input}; L is the mean over the batch.</source>
        <translation>ℓ 是{input}的损失；L 是批次上的均值。</translation>
    </message>
    <message>
        <source>With regularisation: L = {data} (data) + {penalty} (penalty) = {loss}.</source>
        <translation>含正则化：L = {data}（数据）+ {penalty}（惩罚项）= {loss}。</translation>
    </message>
    <message>
        <source>target</source>
        <translation>目标值</translation>
    </message>
    <message>
        <source>The targets are class indices counted from 0, as in the data: target 0 is class 1 (output unit 1), target {last} is class {count}.</source>
        <translation>目标是从 0 开始计数的类别索引，与数据中一致：目标 0 是第 1 类（输出单元 1），目标 {last} 是第 {count} 类。</translation>
    </message>
    <message>
        <source>every output of every sample</source>
        <translation>每个样本的每个输出</translation>
    </message>
    <message>
        <source>the batch</source>
        <translation>批次</translation>
    </message>
    <message>
        <source>N = {N}: the loss is a mean over {over}.</source>
        <translation>N = {N}：损失是对{over}取的均值。</translation>
    </message>
    <message>
        <source>Shown for completeness: with this loss and output activation the backward pass skips dL/da and takes dL/dz = (p − y)/N directly (next step), which is exact and stable.</source>
        <translation>仅为完整起见列出：对这种损失和输出激活函数，反向传播跳过 dL/da，直接取 dL/dz = (p − y)/N（下一步），既精确又数值稳定。</translation>
    </message>
    <message>
        <source>The {loss} loss and the {activation} output are differentiated together: dL/da ⊙ {activation}&apos;(z) simplifies to (p − y)/N, N = {N}.</source>
        <translation>{loss} 损失与 {activation} 输出一起求导：dL/da ⊙ {activation}&apos;(z) 化简为 (p − y)/N，N = {N}。</translation>
    </message>
    <message>
        <source>… {count} more entries of this row in the table</source>
        <translation>… 表中这一行还有 {count} 项</translation>
    </message>
    <message>
        <source>Sample {sample} contributes {what} = {vector} to this sum.</source>
        <translation>样本 {sample} 为这个和贡献 {what} = {vector}。</translation>
    </message>
    <message>
        <source>The regularisation penalty adds its own gradient: 2·l2·W (l2 = {l2}) and l1·sign(W) (l1 = {l1}).</source>
        <translation>正则化惩罚项加上它自己的梯度：2·l2·W（l2 = {l2}）和 l1·sign(W)（l1 = {l1}）。</translation>
    </message>
    <message>
        <source>The regularisation penalty adds its own gradient: 2·l2·W (l2 = {l2}).</source>
        <translation>正则化惩罚项加上它自己的梯度：2·l2·W（l2 = {l2}）。</translation>
    </message>
    <message>
        <source>The regularisation penalty adds its own gradient: l1·sign(W) (l1 = {l1}).</source>
        <translation>正则化惩罚项加上它自己的梯度：l1·sign(W)（l1 = {l1}）。</translation>
    </message>
    <message>
        <source>The whole gradient&apos;s norm {norm} exceeded clip_grad_norm {limit}, so every gradient is scaled by {scale}.</source>
        <translation>整体梯度范数 {norm} 超过了 clip_grad_norm {limit}，因此每个梯度都乘以 {scale}。</translation>
    </message>
    <message>
        <source>This is the gradient the layer below receives as its dL/da.</source>
        <translation>这就是下一层收到的梯度，即它的 dL/da。</translation>
    </message>
    <message>
        <source>ignore</source>
        <translation>忽略</translation>
    </message>
    <message>
        <source>input: a column the network reads</source>
        <translation>输入：网络读取的列</translation>
    </message>
    <message>
        <source>target: a column the network learns to predict</source>
        <translation>目标：网络学习预测的列</translation>
    </message>
    <message>
        <source>ignore: leave this column out</source>
        <translation>忽略：不使用此列</translation>
    </message>
    <message>
        <source>classification</source>
        <translation>分类</translation>
    </message>
    <message>
        <source>regression</source>
        <translation>回归</translation>
    </message>
    <message>
        <source>The column&apos;s role: input, target or ignore</source>
        <translation>该列的角色：输入、目标或忽略</translation>
    </message>
    <message>
        <source>Import CSV — {file}</source>
        <translation>导入 CSV — {file}</translation>
    </message>
    <message>
        <source>The file being imported</source>
        <translation>正在导入的文件</translation>
    </message>
    <message>
        <source>Choose each column&apos;s role: &lt;b&gt;input&lt;/b&gt;, &lt;b&gt;target&lt;/b&gt; or &lt;b&gt;ignore&lt;/b&gt;. The first {rows} rows are shown.</source>
        <translation>选择每一列的角色：&lt;b&gt;输入&lt;/b&gt;、&lt;b&gt;目标&lt;/b&gt;或&lt;b&gt;忽略&lt;/b&gt;。下面显示前 {rows} 行。</translation>
    </message>
    <message>
        <source>The first rows of the file; the top row sets each column&apos;s role</source>
        <translation>文件的前几行；最上面一行设置每列的角色</translation>
    </message>
    <message>
        <source>Each column&apos;s role is in the top row</source>
        <translation>每列的角色在最上面一行</translation>
    </message>
    <message>
        <source>What will be imported</source>
        <translation>将要导入的内容</translation>
    </message>
    <message>
        <source>Why these columns cannot be imported</source>
        <translation>这些列无法导入的原因</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <source>Load the file with the chosen input and target columns</source>
        <translation>按所选的输入列和目标列加载文件</translation>
    </message>
    <message>
        <source>Close without importing</source>
        <translation>关闭而不导入</translation>
    </message>
    <message>
        <source>role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Role of the column {name}: input, target or ignore (click to change)</source>
        <translation>列 {name} 的角色：输入、目标或忽略（点击更改）</translation>
    </message>
    <message>
        <source>Choose at least one target column.</source>
        <translation>请至少选择一个目标列。</translation>
    </message>
    <message>
        <source>Choose at least one input column.</source>
        <translation>请至少选择一个输入列。</translation>
    </message>
    <message>
        <source>inputs: {inputs} · targets: {targets}</source>
        <translation>输入：{inputs} · 目标：{targets}</translation>
    </message>
    <message>
        <source>{task} ({classes} classes)</source>
        <translation>{task}（{classes} 个类别）</translation>
    </message>
    <message>
        <source>{rows} rows · inputs: {inputs} · targets: {targets} · {task}</source>
        <translation>{rows} 行 · 输入：{inputs} · 目标：{targets} · {task}</translation>
    </message>
    <message>
        <source>{rows} rows · inputs: {inputs} · target: {targets} · {task}</source>
        <translation>{rows} 行 · 输入：{inputs} · 目标：{targets} · {task}</translation>
    </message>
    <message>
        <source>{first}, … {last} ({count} columns)</source>
        <translation>{first}, … {last}（共 {count} 列）</translation>
    </message>
    <message>
        <source>{formats} or {last}</source>
        <translation>{formats} 或 {last}</translation>
    </message>
    <message>
        <source>no file name given (choose {formats})</source>
        <translation>未给出文件名（请选择 {formats}）</translation>
    </message>
    <message>
        <source>{path}: is a folder; give a file name ending in {formats}</source>
        <translation>{path}：这是一个文件夹；请给出以 {formats} 结尾的文件名</translation>
    </message>
    <message>
        <source>{path}: no file extension (choose {formats})</source>
        <translation>{path}：没有文件扩展名（请选择 {formats}）</translation>
    </message>
    <message>
        <source>{path}: unknown format &apos;{suffix}&apos; (choose {formats})</source>
        <translation>{path}：未知格式“{suffix}”（请选择 {formats}）</translation>
    </message>
    <message>
        <source>{path}: the folder {folder} does not exist</source>
        <translation>{path}：文件夹 {folder} 不存在</translation>
    </message>
    <message>
        <source>{path}: {folder} is a file, not a folder</source>
        <translation>{path}：{folder} 是文件，不是文件夹</translation>
    </message>
    <message>
        <source>{path}: cannot write in the folder {folder} ({reason})</source>
        <translation>{path}：无法写入文件夹 {folder}（{reason}）</translation>
    </message>
    <message>
        <source>unknown background {background} (choose &apos;white&apos; or &apos;transparent&apos;)</source>
        <translation>未知背景 {background}（请选择 &apos;white&apos; 或 &apos;transparent&apos;）</translation>
    </message>
    <message>
        <source>the panel has no size to render (is it laid out?)</source>
        <translation>面板没有可渲染的尺寸（是否已完成布局？）</translation>
    </message>
    <message>
        <source>the image width must be at least 1 pixel, got {width}</source>
        <translation>图像宽度至少为 1 像素，实际为 {width}</translation>
    </message>
    <message>
        <source>the scale must be a positive number, got {scale}</source>
        <translation>缩放比例必须为正数，实际为 {scale}</translation>
    </message>
    <message>
        <source>an image of {width} × {height} pixels is too large; choose a smaller size</source>
        <translation>{width} × {height} 像素的图像太大；请选择更小的尺寸</translation>
    </message>
    <message>
        <source>cannot allocate an image of {width} × {height} pixels</source>
        <translation>无法分配 {width} × {height} 像素的图像</translation>
    </message>
    <message>
        <source>{path}: the PNG could not be encoded</source>
        <translation>{path}：无法编码 PNG</translation>
    </message>
    <message>
        <source>{path}: cannot start drawing the {kind}</source>
        <translation>{path}：无法开始绘制 {kind}</translation>
    </message>
    <message>
        <source>{title} · step {step}</source>
        <translation>{title} · 第 {step} 步</translation>
    </message>
    <message>
        <source>{path}: this panel has no numbers to export as CSV</source>
        <translation>{path}：此面板没有可导出为 CSV 的数值</translation>
    </message>
    <message>
        <source>Decision surface with the loss</source>
        <translation>决策边界与损失曲线</translation>
    </message>
    <message>
        <source>Python script</source>
        <translation>Python 脚本</translation>
    </message>
    <message>
        <source>Jupyter notebook</source>
        <translation>Jupyter 笔记本</translation>
    </message>
    <message>
        <source>Export figure…</source>
        <translation>导出图像…</translation>
    </message>
    <message>
        <source>Export a panel as PNG, SVG, PDF or the numbers it draws as CSV (Ctrl+E)</source>
        <translation>将面板导出为 PNG、SVG、PDF，或将其绘制的数值导出为 CSV（Ctrl+E）</translation>
    </message>
    <message>
        <source>Copy image</source>
        <translation>复制图像</translation>
    </message>
    <message>
        <source>Copy the panel under the pointer (or the network graph) as an image</source>
        <translation>将指针下的面板（或网络图）复制为图像</translation>
    </message>
    <message>
        <source>Export run report…</source>
        <translation>导出运行报告…</translation>
    </message>
    <message>
        <source>The model, data, settings, final metrics and every panel&apos;s figure, as HTML (images embedded) or PDF</source>
        <translation>模型、数据、设置、最终指标以及每个面板的图像，导出为 HTML（内嵌图片）或 PDF</translation>
    </message>
    <message>
        <source>Record animation…</source>
        <translation>录制动画…</translation>
    </message>
    <message>
        <source>Record a panel while it trains, to GIF (or MP4 with imageio-ffmpeg); choose again to stop and save</source>
        <translation>在训练时录制面板，保存为 GIF（安装 imageio-ffmpeg 后可保存为 MP4）；再次选择即停止并保存</translation>
    </message>
    <message>
        <source>Export as PyTorch script…</source>
        <translation>导出为 PyTorch 脚本…</translation>
    </message>
    <message>
        <source>A PyTorch training script (or Jupyter notebook) that goes on from where the run stands: the model, its weights and optimizer state, the data, nnviz&apos;s batch order</source>
        <translation>从当前运行状态继续训练的 PyTorch 训练脚本（或 Jupyter 笔记本）：包括模型、权重和优化器状态、数据以及 nnviz 的批次顺序</translation>
    </message>
    <message>
        <source>Copied the figure to the clipboard</source>
        <translation>已将图像复制到剪贴板</translation>
    </message>
    <message>
        <source>Export run report</source>
        <translation>导出运行报告</translation>
    </message>
    <message>
        <source>Cannot write the report</source>
        <translation>无法写入报告</translation>
    </message>
    <message>
        <source>Saved the run report to {path}</source>
        <translation>运行报告已保存到 {path}</translation>
    </message>
    <message>
        <source>Export as PyTorch script</source>
        <translation>导出为 PyTorch 脚本</translation>
    </message>
    <message>
        <source>Wrote the PyTorch script {path} (with {files} beside it)</source>
        <translation>已写入 PyTorch 脚本 {path}（旁边附有 {files}）</translation>
    </message>
    <message>
        <source>Wrote the PyTorch script {path}</source>
        <translation>已写入 PyTorch 脚本 {path}</translation>
    </message>
    <message>
        <source>Record animation</source>
        <translation>录制动画</translation>
    </message>
    <message>
        <source>Record:</source>
        <translation>录制：</translation>
    </message>
    <message>
        <source>Cannot record</source>
        <translation>无法录制</translation>
    </message>
    <message>
        <source>Stop recording</source>
        <translation>停止录制</translation>
    </message>
    <message>
        <source>Recording stopped</source>
        <translation>录制已停止</translation>
    </message>
    <message>
        <source>● Recording: {frames} frames</source>
        <translation>● 正在录制：{frames} 帧</translation>
    </message>
    <message>
        <source>Cannot save the animation</source>
        <translation>无法保存动画</translation>
    </message>
    <message>
        <source>Saved {frames} frames to {path}</source>
        <translation>已将 {frames} 帧保存到 {path}</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Export figure</source>
        <translation>导出图像</translation>
    </message>
    <message>
        <source>{scale}× screen size</source>
        <translation>{scale}× 屏幕尺寸</translation>
    </message>
    <message>
        <source>Width in pixels</source>
        <translation>宽度（像素）</translation>
    </message>
    <message>
        <source>px</source>
        <translation>px</translation>
    </message>
    <message>
        <source>White</source>
        <translation>白色</translation>
    </message>
    <message>
        <source>Transparent</source>
        <translation>透明</translation>
    </message>
    <message>
        <source>Draw the model and panel name above the figure</source>
        <translation>在图像上方绘制模型和面板名称</translation>
    </message>
    <message>
        <source>Panel:</source>
        <translation>面板：</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>格式：</translation>
    </message>
    <message>
        <source>Size:</source>
        <translation>尺寸：</translation>
    </message>
    <message>
        <source>Background:</source>
        <translation>背景：</translation>
    </message>
    <message>
        <source>Put the figure on the clipboard as an image, to paste into slides</source>
        <translation>将图像放到剪贴板上，以便粘贴到幻灯片中</translation>
    </message>
    <message>
        <source>Could not export {panel}: {reason}</source>
        <translation>无法导出 {panel}：{reason}</translation>
    </message>
    <message>
        <source>Could not copy {panel}: {reason}</source>
        <translation>无法复制 {panel}：{reason}</translation>
    </message>
    <message>
        <source>This panel has no numbers to export as {format}</source>
        <translation>此面板没有可导出为 {format} 的数值</translation>
    </message>
    <message>
        <source>Title “{title}” above the figure</source>
        <translation>在图像上方加标题“{title}”</translation>
    </message>
    <message>
        <source>{width} × {height} pixels</source>
        <translation>{width} × {height} 像素</translation>
    </message>
    <message>
        <source>PNG image</source>
        <translation>PNG 图像</translation>
    </message>
    <message>
        <source>SVG (vector)</source>
        <translation>SVG（矢量）</translation>
    </message>
    <message>
        <source>SVG image</source>
        <translation>SVG 图像</translation>
    </message>
    <message>
        <source>PDF (vector)</source>
        <translation>PDF（矢量）</translation>
    </message>
    <message>
        <source>PDF document</source>
        <translation>PDF 文档</translation>
    </message>
    <message>
        <source>CSV (numbers)</source>
        <translation>CSV（数值）</translation>
    </message>
    <message>
        <source>CSV table</source>
        <translation>CSV 表格</translation>
    </message>
    <message>
        <source>Animated GIF</source>
        <translation>GIF 动画</translation>
    </message>
    <message>
        <source>MP4 video</source>
        <translation>MP4 视频</translation>
    </message>
    <message>
        <source>HTML report</source>
        <translation>HTML 报告</translation>
    </message>
    <message>
        <source>PDF report</source>
        <translation>PDF 报告</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
    <message>
        <source>Lessons</source>
        <translation>课程</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>The lessons, exercises and examples that ship with nnviz (also in the Examples menu); lessons open in step-through mode, exercises ask you to fix a network:</source>
        <translation>nnviz 自带的课程、练习和示例（也在“示例”菜单中）；课程以单步跟踪模式打开，练习要求你修好一个网络：</translation>
    </message>
    <message>
        <source>nnviz manual</source>
        <translation>nnviz 使用手册</translation>
    </message>
    <message>
        <source>Manual</source>
        <translation>使用手册</translation>
    </message>
    <message>
        <source>See a neural network learn, one number at a time.</source>
        <translation>看着神经网络学习，一个数字一个数字地看。</translation>
    </message>
    <message>
        <source>About nnviz</source>
        <translation>关于 nnviz</translation>
    </message>
    <message>
        <source>Now {value}. Type a number and press Enter (Escape: leave it)</source>
        <translation>当前为 {value}。输入一个数字并按回车（Esc：保持不变）</translation>
    </message>
    <message>
        <source>Not changed: {reason}.</source>
        <translation>未更改：{reason}。</translation>
    </message>
    <message>
        <source>Control</source>
        <translation>控件</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>锁定</translation>
    </message>
    <message>
        <source>Hide {control}</source>
        <translation>隐藏{control}</translation>
    </message>
    <message>
        <source>Lock {control}</source>
        <translation>锁定{control}</translation>
    </message>
    <message>
        <source>Save as lesson</source>
        <translation>另存为课程</translation>
    </message>
    <message>
        <source>The lesson opens with the panels shown now. Choose the controls it hides from the learner and those it locks (shown, but not to be changed):</source>
        <translation>课程打开时显示当前显示的面板。请选择对学习者隐藏的控件，以及锁定的控件（显示但不可更改）：</translation>
    </message>
    <message>
        <source>Controls</source>
        <translation>控件</translation>
    </message>
    <message>
        <source>Named {key} in the document</source>
        <translation>在文档中名为 {key}</translation>
    </message>
    <message>
        <source>Save…</source>
        <translation>保存…</translation>
    </message>
    <message>
        <source>Lesson</source>
        <translation>课程</translation>
    </message>
    <message>
        <source>Explore the model.</source>
        <translation>探索这个模型。</translation>
    </message>
    <message>
        <source>Output layer</source>
        <translation>输出层</translation>
    </message>
    <message>
        <source>Hidden layer {number}</source>
        <translation>隐藏层 {number}</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>Histogram</source>
        <translation>直方图</translation>
    </message>
    <message>
        <source>Neurons × samples</source>
        <translation>神经元 × 样本</translation>
    </message>
    <message>
        <source>Over time</source>
        <translation>随时间变化</translation>
    </message>
    <message>
        <source>How the selected layer&apos;s activations on the probe batch are spread</source>
        <translation>所选层在探测批次上的激活值分布</translation>
    </message>
    <message>
        <source>Every activation of the selected layer: one row per unit, one column per probe sample</source>
        <translation>所选层的全部激活值：每个单元一行，每个探测样本一列</translation>
    </message>
    <message>
        <source>The selected layer&apos;s activation percentiles at each evaluation</source>
        <translation>每次评估时所选层激活值的百分位数</translation>
    </message>
    <message>
        <source>count</source>
        <translation>计数</translation>
    </message>
    <message>
        <source>activation</source>
        <translation>激活值</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>各层</translation>
    </message>
    <message>
        <source>layer</source>
        <translation>层</translation>
    </message>
    <message>
        <source>The {optimizer} uses no gradient, so there is nothing to check.</source>
        <translation>{optimizer} 不使用梯度，因此无需检验。</translation>
    </message>
    <message>
        <source>Not checked: {count} parameters would take {evaluations} loss evaluations (the check runs up to {limit}).</source>
        <translation>未检验：{count} 个参数需要计算 {evaluations} 次损失（检验最多运行到 {limit} 个参数）。</translation>
    </message>
    <message>
        <source>On this step&apos;s batch of {size}, central differences with ε = {eps}.</source>
        <translation>在本步的 {size} 个样本的批次上，用中心差分，ε = {eps}。</translation>
    </message>
    <message>
        <source>On this step&apos;s batch of {size}, central differences with ε = {eps}, in float64 (float32 would round differences of ε away).</source>
        <translation>在本步的 {size} 个样本的批次上，用中心差分，ε = {eps}，以 float64 计算（float32 会把 ε 量级的差值舍入掉）。</translation>
    </message>
    <message>
        <source>weighted sum</source>
        <translation>加权和</translation>
    </message>
    <message>
        <source>Layer {layer}: {what}</source>
        <translation>第 {layer} 层：{what}</translation>
    </message>
    <message>
        <source>Layer {layer}: activation {activation}</source>
        <translation>第 {layer} 层：激活函数 {activation}</translation>
    </message>
    <message>
        <source>Perceptron rule, sample {sample}</source>
        <translation>感知机规则，样本 {sample}</translation>
    </message>
    <message>
        <source>Loss: {loss}</source>
        <translation>损失：{loss}</translation>
    </message>
    <message>
        <source>Loss gradient at the output</source>
        <translation>输出处的损失梯度</translation>
    </message>
    <message>
        <source>Layer {layer}: through the activation</source>
        <translation>第 {layer} 层：经过激活函数</translation>
    </message>
    <message>
        <source>Layer {layer}: gradient of {param}</source>
        <translation>第 {layer} 层：{param} 的梯度</translation>
    </message>
    <message>
        <source>Layer {layer}: gradient passed down to layer {below}</source>
        <translation>第 {layer} 层：传回第 {below} 层的梯度</translation>
    </message>
    <message>
        <source>{optimizer} update of {param}</source>
        <translation>{optimizer} 更新 {param}</translation>
    </message>
    <message>
        <source>the whole batch of {size} (means; one table row per sample)</source>
        <translation>整个批次的 {size} 个样本（取均值；表中每个样本一行）</translation>
    </message>
    <message>
        <source>sample {sample} of {size} (training row {row})</source>
        <translation>{size} 个样本中的第 {sample} 个（训练数据第 {row} 行）</translation>
    </message>
    <message>
        <source>… {count} more rows in the table</source>
        <translation>… 表中还有 {count} 行</translation>
    </message>
    <message>
        <source>mean</source>
        <translation>均值</translation>
    </message>
    <message>
        <source>sum</source>
        <translation>总和</translation>
    </message>
    <message>
        <source>std</source>
        <translation>标准差</translation>
    </message>
    <message>
        <source>saturated</source>
        <translation>饱和</translation>
    </message>
    <message>
        <source>dead</source>
        <translation>死亡</translation>
    </message>
    <message>
        <source>Every layer on the probe batch; click a row to show that layer</source>
        <translation>各层在探测批次上的情况；单击一行以显示该层</translation>
    </message>
    <message>
        <source>unit</source>
        <translation>单元</translation>
    </message>
    <message>
        <source>probe sample</source>
        <translation>探测样本</translation>
    </message>
    <message>
        <source>share</source>
        <translation>占比</translation>
    </message>
    <message>
        <source>Activations</source>
        <translation>激活值</translation>
    </message>
    <message>
        <source>histogram</source>
        <translation>直方图</translation>
    </message>
    <message>
        <source>neurons × samples</source>
        <translation>神经元 × 样本</translation>
    </message>
    <message>
        <source>over time</source>
        <translation>随时间变化</translation>
    </message>
    <message>
        <source>Activations — {layer} ({view})</source>
        <translation>激活值 — {layer}（{view}）</translation>
    </message>
    <message>
        <source>output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>{units} units × {samples} probe samples</source>
        <translation>{units} 个单元 × {samples} 个探测样本</translation>
    </message>
    <message>
        <source>mean {value}</source>
        <translation>均值 {value}</translation>
    </message>
    <message>
        <source>std {value}</source>
        <translation>标准差 {value}</translation>
    </message>
    <message>
        <source>saturated {value}</source>
        <translation>饱和 {value}</translation>
    </message>
    <message>
        <source>dead {value}</source>
        <translation>死亡 {value}</translation>
    </message>
    <message>
        <source>median</source>
        <translation>中位数</translation>
    </message>
    <message>
        <source>Drawing pad</source>
        <translation>手写板</translation>
    </message>
    <message>
        <source>Draw a digit with the mouse, a button held down</source>
        <translation>按住鼠标按键画一个数字</translation>
    </message>
    <message>
        <source>Draw a digit here</source>
        <translation>在这里画一个数字</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <source>Empty the canvas</source>
        <translation>清空画布</translation>
    </message>
    <message>
        <source>Hold the left button down and draw</source>
        <translation>按住左键作画</translation>
    </message>
    <message>
        <source>class</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>probability</source>
        <translation>概率</translation>
    </message>
    <message>
        <source>Drawing pad — {line}</source>
        <translation>画板 — {line}</translation>
    </message>
    <message>
        <source>this model is no classifier of pictures</source>
        <translation>这个模型不是图片分类器</translation>
    </message>
    <message>
        <source>Nothing to draw for: {why}.</source>
        <translation>无法作画：{why}。</translation>
    </message>
    <message>
        <source>Draw a digit: the network&apos;s guess shows here</source>
        <translation>画一个数字：网络的判断显示在这里</translation>
    </message>
    <message>
        <source>The network&apos;s outputs are not numbers</source>
        <translation>网络的输出不是数值</translation>
    </message>
    <message>
        <source>Predicted </source>
        <translation>预测为 </translation>
    </message>
    <message>
        <source>Output </source>
        <translation>输出 </translation>
    </message>
    <message>
        <source>Parameter θ</source>
        <translation>参数 θ</translation>
    </message>
    <message>
        <source>Analytic
dL/dθ</source>
        <translation>解析梯度
dL/dθ</translation>
    </message>
    <message>
        <source>Numerical
(central difference)</source>
        <translation>数值梯度
（中心差分）</translation>
    </message>
    <message>
        <source>|Difference|</source>
        <translation>|差值|</translation>
    </message>
    <message>
        <source>Relative
error</source>
        <translation>相对
误差</translation>
    </message>
    <message>
        <source>The scalar parameter θ: the tensor&apos;s name and the entry&apos;s index, counted from 1 (unit, input for a
weight); hover for its document path. Sorting by this column restores the network&apos;s order.</source>
        <translation>标量参数 θ：张量名称及元素索引，从 1 开始计数（对权重而言为单元、输入）；
悬停可查看其文档路径。按此列排序可恢复网络中的顺序。</translation>
    </message>
    <message>
        <source>dL/dθ from the backward pass, on this batch. Hover a number for its full value.</source>
        <translation>反向传播在此批次上得到的 dL/dθ。悬停在数字上可查看完整数值。</translation>
    </message>
    <message>
        <source>(L(θ + ε) − L(θ − ε)) / 2ε, every other parameter held fixed, on the same batch with the same
dropout mask. Hover a number for its full value.</source>
        <translation>(L(θ + ε) − L(θ − ε)) / 2ε，其他参数保持不变，使用同一批次和同一
Dropout 掩码。悬停在数字上可查看完整数值。</translation>
    </message>
    <message>
        <source>|analytic − numerical| / max(|analytic| + |numerical|, floor). Green below 1e-7 (the backward
pass agrees), amber up to 1e-4 (a kink such as ReLU&apos;s at 0, or rounding noise in a tiny gradient,
can explain it), red above (the backward pass is wrong). Hover a number for its full value.</source>
        <translation>|analytic − numerical| / max(|analytic| + |numerical|, floor)。低于 1e-7 为绿色（反向传播
一致），不超过 1e-4 为琥珀色（可能由 ReLU 在 0 处这样的折点或极小梯度的舍入噪声引起），
更高为红色（反向传播有误）。悬停在数字上可查看完整数值。</translation>
    </message>
    <message>
        <source>below {agree}: the backward pass agrees with central differences</source>
        <translation>低于 {agree}：反向传播与中心差分一致</translation>
    </message>
    <message>
        <source>between {agree} and {disagree}: look closer — rounding noise where the gradient is small, or a kink (such as ReLU&apos;s at 0) if the network has one, can explain it</source>
        <translation>介于 {agree} 与 {disagree} 之间：请仔细检查 — 梯度很小处的舍入噪声，或网络中存在的折点（如 ReLU 在 0 处），都可能造成这种情况</translation>
    </message>
    <message>
        <source>above {disagree}: the backward pass and central differences disagree</source>
        <translation>高于 {disagree}：反向传播与中心差分不一致</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Check the gradients of the model as it is now</source>
        <translation>检查模型当前的梯度</translation>
    </message>
    <message>
        <source>Gradient check</source>
        <translation>梯度检验</translation>
    </message>
    <message>
        <source>Nothing checked yet: the model&apos;s gradients are checked when this tab is shown.</source>
        <translation>尚未检验：显示此标签页时将检验模型的梯度。</translation>
    </message>
    <message>
        <source>Nothing to check: the model has no parameters.</source>
        <translation>无可检验：模型没有参数。</translation>
    </message>
    <message>
        <source>Worst relative error &lt;b&gt;{error}&lt;/b&gt; at &lt;b&gt;{entry}&lt;/b&gt; (dL/dθ = {gradient}) — {verdict}.</source>
        <translation>最大相对误差 &lt;b&gt;{error}&lt;/b&gt;，位于 &lt;b&gt;{entry}&lt;/b&gt;（dL/dθ = {gradient}）— {verdict}。</translation>
    </message>
    <message>
        <source>Document path (counted from 0): {path}</source>
        <translation>文档路径（从 0 开始计数）：{path}</translation>
    </message>
    <message>
        <source>Per tensor, ‖analytic − numerical‖ / (‖analytic‖ + ‖numerical‖):</source>
        <translation>按张量计，‖解析 − 数值‖ / (‖解析‖ + ‖数值‖)：</translation>
    </message>
    <message>
        <source>{count} entry</source>
        <translation>{count} 个元素</translation>
    </message>
    <message>
        <source>{count} entries</source>
        <translation>{count} 个元素</translation>
    </message>
    <message>
        <source>in {count} tensor</source>
        <translation>分布于 {count} 个张量</translation>
    </message>
    <message>
        <source>in {count} tensors</source>
        <translation>分布于 {count} 个张量</translation>
    </message>
    <message>
        <source>central differences with ε = {eps}, relative errors floored at {floor}.</source>
        <translation>中心差分取 ε = {eps}，相对误差下限为 {floor}。</translation>
    </message>
    <message>
        <source>Showing {shown} of {total} entries (the summary covers all).</source>
        <translation>显示 {total} 个元素中的 {shown} 个（摘要涵盖全部）。</translation>
    </message>
    <message>
        <source>Checked at step {checked}; the model has changed since (step {now}): Run checks it as it is now.</source>
        <translation>检验于第 {checked} 步；此后模型已改变（第 {now} 步）：点击“运行”按当前模型重新检验。</translation>
    </message>
    <message>
        <source>{tensor}: relative error of the whole tensor {error}, largest |difference| {difference}</source>
        <translation>{tensor}：整个张量的相对误差 {error}，最大 |差值| {difference}</translation>
    </message>
    <message>
        <source>norm ‖g‖</source>
        <translation>范数 ‖g‖</translation>
    </message>
    <message>
        <source>mean |g|</source>
        <translation>均值 |g|</translation>
    </message>
    <message>
        <source>max |g|</source>
        <translation>最大值 |g|</translation>
    </message>
    <message>
        <source>Which statistic of each parameter&apos;s gradient to show</source>
        <translation>显示每个参数梯度的哪种统计量</translation>
    </message>
    <message>
        <source>Gradient</source>
        <translation>梯度</translation>
    </message>
    <message>
        <source>Gradient flow — {statistic}</source>
        <translation>梯度流 — {statistic}</translation>
    </message>
    <message>
        <source>weight</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>bias</source>
        <translation>偏置</translation>
    </message>
    <message>
        <source>vanishing &amp;lt; {value}</source>
        <translation>消失 &amp;lt; {value}</translation>
    </message>
    <message>
        <source>exploding &amp;gt; {value}</source>
        <translation>爆炸 &amp;gt; {value}</translation>
    </message>
    <message>
        <source>vanishing (&amp;lt; {value}): {layers}</source>
        <translation>梯度消失（&amp;lt; {value}）：{layers}</translation>
    </message>
    <message>
        <source>exploding (&amp;gt; {value}): {layers}</source>
        <translation>梯度爆炸（&amp;gt; {value}）：{layers}</translation>
    </message>
    <message>
        <source>not finite: {layers}</source>
        <translation>非有限值：{layers}</translation>
    </message>
    <message>
        <source>all gradients between {low} and {high}</source>
        <translation>所有梯度均在 {low} 与 {high} 之间</translation>
    </message>
    <message>
        <source>vanishing</source>
        <translation>梯度消失</translation>
    </message>
    <message>
        <source>exploding</source>
        <translation>梯度爆炸</translation>
    </message>
    <message>
        <source>input {n}: {name}</source>
        <translation>输入 {n}：{name}</translation>
    </message>
    <message>
        <source>mean x = {value} (probe batch)</source>
        <translation>x 的均值 = {value}（探测批次）</translation>
    </message>
    <message>
        <source>layer {layer} ({kind}), unit {unit}:</source>
        <translation>第 {layer} 层（{kind}），神经元 {unit}：</translation>
    </message>
    <message>
        <source>a = {value} (mean over the {rows} probe rows)</source>
        <translation>a = {value}（{rows} 行探测数据的均值）</translation>
    </message>
    <message>
        <source>dL/dz = {value} (mean over the {rows} probe rows, each with the loss&apos;s 1/{rows})</source>
        <translation>dL/dz = {value}（{rows} 行探测数据的均值，每行含损失的 1/{rows}）</translation>
    </message>
    <message>
        <source>bias {name} = {value}</source>
        <translation>偏置 {name} = {value}</translation>
    </message>
    <message>
        <source>dL/db = {value} (sum over the {rows} probe rows = {rows} × mean dL/dz)</source>
        <translation>dL/db = {value}（{rows} 行探测数据之和 = {rows} × dL/dz 的均值）</translation>
    </message>
    <message>
        <source>input {n} ({name})</source>
        <translation>输入 {n}（{name}）</translation>
    </message>
    <message>
        <source>layer {layer} unit {unit}</source>
        <translation>第 {layer} 层神经元 {unit}</translation>
    </message>
    <message>
        <source>weight {name}: w = {value}</source>
        <translation>权重 {name}：w = {value}</translation>
    </message>
    <message>
        <source>dL/dw = {value} (sum over the {rows} probe rows)</source>
        <translation>dL/dw = {value}（{rows} 行探测数据之和）</translation>
    </message>
    <message>
        <source>{source} → layer {layer} unit {unit}</source>
        <translation>{source} → 第 {layer} 层神经元 {unit}</translation>
    </message>
    <message>
        <source>Network graph</source>
        <translation>网络图</translation>
    </message>
    <message>
        <source>strongest {keep} of {fan_in} weights into each unit</source>
        <translation>每个神经元只画出 {fan_in} 个输入权重中最强的 {keep} 个</translation>
    </message>
    <message>
        <source>Input</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>{n} inputs</source>
        <translation>{n} 个输入</translation>
    </message>
    <message>
        <source>Input {name}</source>
        <translation>输入 {name}</translation>
    </message>
    <message>
        <source>Output {unit}: the fitted curve over {name}</source>
        <translation>输出 {unit}：关于 {name} 的拟合曲线</translation>
    </message>
    <message>
        <source>Layer {layer}, unit {unit} ({activation}) over {name}</source>
        <translation>第 {layer} 层，神经元 {unit}（{activation}），关于 {name}</translation>
    </message>
    <message>
        <source>nnviz — network graph</source>
        <translation>nnviz — 网络图</translation>
    </message>
    <message>
        <source>Dead</source>
        <translation>死亡</translation>
    </message>
    <message>
        <source>Saturated</source>
        <translation>饱和</translation>
    </message>
    <message>
        <source>Grad norm</source>
        <translation>梯度范数</translation>
    </message>
    <message>
        <source>Update (log₁₀)</source>
        <translation>更新 (log₁₀)</translation>
    </message>
    <message>
        <source>Sat.</source>
        <translation>饱和</translation>
    </message>
    <message>
        <source>Grad</source>
        <translation>梯度</translation>
    </message>
    <message>
        <source>Forward</source>
        <translation>前向</translation>
    </message>
    <message>
        <source>Backward</source>
        <translation>反向</translation>
    </message>
    <message>
        <source>Update</source>
        <translation>更新</translation>
    </message>
    <message>
        <source>Numbers</source>
        <translation>数值</translation>
    </message>
    <message>
        <source>The numbers of this operation. Cells with a light yellow background are weights, biases, inputs or targets: double-click one to change it, and the whole step is computed again.</source>
        <translation>这个运算的数值。浅黄色背景的单元格是权重、偏置、输入或目标值：双击即可修改，整步会重新计算。</translation>
    </message>
    <message>
        <source>Decimals: </source>
        <translation>小数位数：</translation>
    </message>
    <message>
        <source>Decimals</source>
        <translation>小数位数</translation>
    </message>
    <message>
        <source>How many decimal places the numbers show (hover a number for all of them)</source>
        <translation>数值显示几位小数（鼠标悬停可看到全部位数）</translation>
    </message>
    <message>
        <source>Copy text</source>
        <translation>复制文本</translation>
    </message>
    <message>
        <source>Copy the calculation as plain text</source>
        <translation>把计算过程复制为纯文本</translation>
    </message>
    <message>
        <source>Copy LaTeX</source>
        <translation>复制 LaTeX</translation>
    </message>
    <message>
        <source>Copy the calculation as a LaTeX align* block</source>
        <translation>把计算过程复制为 LaTeX align* 块</translation>
    </message>
    <message>
        <source>Typeset maths</source>
        <translation>排版公式</translation>
    </message>
    <message>
        <source>Show the formulas typeset, as in a textbook (off: as plain text, each number in full on hover)</source>
        <translation>像教科书一样排版显示公式（关闭时显示纯文本，悬停可看每个数的全部位数）</translation>
    </message>
    <message>
        <source>Step {step} of {count}: {title}</source>
        <translation>第 {step} 步（共 {count} 步）：{title}</translation>
    </message>
    <message>
        <source>Turn on &lt;b&gt;Step through&lt;/b&gt; (toolbar) to follow one training step operation by operation, or open a lesson from the &lt;b&gt;Examples&lt;/b&gt; menu.</source>
        <translation>打开工具栏上的&lt;b&gt;逐步执行&lt;/b&gt;，逐个运算地跟踪一步训练；或从&lt;b&gt;示例&lt;/b&gt;菜单打开一个课程。</translation>
    </message>
    <message>
        <source>{index} of {count}</source>
        <translation>{index} / {count}</translation>
    </message>
    <message>
        <source>Double-click to change it</source>
        <translation>双击可修改</translation>
    </message>
    <message>
        <source>showing {shown} of {rows} rows</source>
        <translation>显示 {rows} 行中的 {shown} 行</translation>
    </message>
    <message>
        <source>Yellow cells can be edited (double-click).</source>
        <translation>黄色单元格可以编辑（双击）。</translation>
    </message>
    <message>
        <source>? : a result you have not answered yet.</source>
        <translation>?：你还没有回答的结果。</translation>
    </message>
    <message>
        <source>The layer, numbered as in the sidebar. Its name is red when any of its cells is red, or when
the line above the table (a collapsed or diverged network) names it.
Click a row to open the layer&apos;s activations.</source>
        <translation>层，编号与侧边栏一致。当该行任一单元格为红色，或表格上方的提示行
（网络崩溃或发散）指出该层时，其名称显示为红色。
单击一行可打开该层的激活值。</translation>
    </message>
    <message>
        <source>Dead units: the share of units that output 0 for every sample of the probe batch (ReLU-like
activations only). A dead unit passes no gradient and stops learning.
Green below 10%, amber 10–50%, red from 50%.</source>
        <translation>死亡单元：对探测批次中每个样本都输出 0 的单元占比（仅限类 ReLU
激活函数）。死亡单元不传递梯度，停止学习。
低于 10% 为绿色，10–50% 为琥珀色，50% 及以上为红色。</translation>
    </message>
    <message>
        <source>Saturated activations: the share of outputs in the flat tails of a tanh (|a| &gt; {high}) or
a sigmoid (a &lt; {low} or a &gt; {high}), where the gradient almost vanishes.
Green below 10%, amber 10–50%, red from 50%. The output layer&apos;s share is shown but not judged:
outputs near 0 or 1 on a fitted model are confident answers, not a fault.</source>
        <translation>饱和激活：落在 tanh（|a| &gt; {high}）或 sigmoid（a &lt; {low} 或 a &gt; {high}）
平坦尾部的输出占比，此处梯度几乎消失。
低于 10% 为绿色，10–50% 为琥珀色，50% 及以上为红色。输出层的占比只显示、不评判：
已拟合模型的输出接近 0 或 1 是有把握的答案，而非故障。</translation>
    </message>
    <message>
        <source>Gradient norm: the length of dL/dθ over all the layer&apos;s parameters, on the probe batch.
Red below {vanishing} (vanishing) or above {exploding} (exploding); amber within two orders
of magnitude of either; green between.</source>
        <translation>梯度范数：该层全部参数的 dL/dθ 在探测批次上的长度。
低于 {vanishing}（消失）或高于 {exploding}（爆炸）为红色；与任一阈值相差
两个数量级以内为琥珀色；介于其间为绿色。</translation>
    </message>
    <message>
        <source>Update ratio: log₁₀(std(ΔW) / std(W)), the size of the change the optimizer applied to the weights
on the last step (Adam, momentum, weight decay and clipping included), relative to their spread.
Green inside {low} … {high} (about a thousandth per step); amber within 1 of it; red beyond:
much lower and the layer barely learns, much higher and it thrashes. — before the first step:
no update yet.</source>
        <translation>更新比：log₁₀(std(ΔW) / std(W))，即优化器在上一步对权重施加的变化量
（含 Adam、动量、权重衰减和裁剪）相对于权重离散程度的大小。
在 {low} … {high} 内为绿色（每步约千分之一）；相差 1 以内为琥珀色；超出为红色：
过低则该层几乎不学习，过高则剧烈震荡。第一步之前显示 —：
尚无更新。</translation>
    </message>
    <message>
        <source>Out</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Layer health</source>
        <translation>层健康状况</translation>
    </message>
    <message>
        <source>Layer health appears when training starts.</source>
        <translation>开始训练后显示层健康状况。</translation>
    </message>
    <message>
        <source>layers[{index}]: {type}, activation {activation}. Mean activation {mean}, std {std} on the probe batch.</source>
        <translation>layers[{index}]：{type}，激活函数 {activation}。探测批次上的平均激活值 {mean}，标准差 {std}。</translation>
    </message>
    <message>
        <source>A red cell in this row, or the line above the table, marks a problem.</source>
        <translation>此行中的红色单元格或表格上方的提示行表示存在问题。</translation>
    </message>
    <message>
        <source>Click to open the layer&apos;s activations.</source>
        <translation>单击以打开该层的激活值。</translation>
    </message>
    <message>
        <source>Green below 10%, amber 10–50%, red from 50%.</source>
        <translation>低于 10% 为绿色，10–50% 为琥珀色，50% 及以上为红色。</translation>
    </message>
    <message>
        <source>Click to open the activations.</source>
        <translation>单击以打开激活值。</translation>
    </message>
    <message>
        <source>Not applicable: only ReLU-like activations can die.</source>
        <translation>不适用：只有类 ReLU 激活函数会死亡。</translation>
    </message>
    <message>
        <source>NaN: the outputs on the probe batch are not all finite numbers, so no unit is dead or alive.</source>
        <translation>NaN：探测批次上的输出并非全为有限数，因此无法判断单元是否死亡。</translation>
    </message>
    <message>
        <source>Dead: {share}% ({count} of {units} units) output 0 for every sample of the probe batch.</source>
        <translation>死亡：{share}%（{units} 个单元中的 {count} 个）对探测批次中每个样本都输出 0。</translation>
    </message>
    <message>
        <source>Dead: {share}% output 0 for every sample of the probe batch.</source>
        <translation>死亡：{share}% 的单元对探测批次中每个样本都输出 0。</translation>
    </message>
    <message>
        <source>Not applicable: only tanh and sigmoid saturate.</source>
        <translation>不适用：只有 tanh 和 sigmoid 会饱和。</translation>
    </message>
    <message>
        <source>NaN: the {activation} outputs on the probe batch are not all finite numbers, so no share of them is saturated or not.</source>
        <translation>NaN：探测批次上的 {activation} 输出并非全为有限数，因此无法计算饱和占比。</translation>
    </message>
    <message>
        <source>Not judged for the output layer: outputs near the ends of its range on a fitted model are confident answers, not a fault.</source>
        <translation>输出层不作评判：已拟合模型的输出接近其值域两端是有把握的答案，而非故障。</translation>
    </message>
    <message>
        <source>Saturated: {share}% of the {activation} outputs on the probe batch sit in its flat tails.</source>
        <translation>饱和：探测批次上 {share}% 的 {activation} 输出位于其平坦尾部。</translation>
    </message>
    <message>
        <source>Not applicable: the layer has no parameters.</source>
        <translation>不适用：该层没有参数。</translation>
    </message>
    <message>
        <source>Gradient norm {norm} ({parts}).</source>
        <translation>梯度范数 {norm}（{parts}）。</translation>
    </message>
    <message>
        <source>Red below {vanishing} (vanishing) or above {exploding} (exploding); amber within two orders of magnitude of either.</source>
        <translation>低于 {vanishing}（消失）或高于 {exploding}（爆炸）为红色；与任一阈值相差两个数量级以内为琥珀色。</translation>
    </message>
    <message>
        <source>Click to open the gradients.</source>
        <translation>单击以打开梯度。</translation>
    </message>
    <message>
        <source>No update yet: the ratio measures the change the optimizer applied on the last step.</source>
        <translation>尚无更新：该比值衡量优化器在上一步施加的变化。</translation>
    </message>
    <message>
        <source>Not applicable: the layer has no weight matrix.</source>
        <translation>不适用：该层没有权重矩阵。</translation>
    </message>
    <message>
        <source>NaN: the weights or their update are not finite numbers, or the weights have no spread</source>
        <translation>NaN：权重或其更新不是有限数，或权重没有离散度</translation>
    </message>
    <message>
        <source>-∞: the last step did not move the weights</source>
        <translation>-∞：上一步没有改变权重</translation>
    </message>
    <message>
        <source>∞: the last step&apos;s change overflowed</source>
        <translation>∞：上一步的变化溢出</translation>
    </message>
    <message>
        <source>{ratio}: the last step moved the weights by about {size} of their spread</source>
        <translation>{ratio}：上一步使权重变化了约其离散程度的 {size}</translation>
    </message>
    <message>
        <source>Too low: below the band, the weights barely move (learning rate too low, or clipping too tight).</source>
        <translation>过低：低于区间，权重几乎不动（学习率过低，或裁剪过紧）。</translation>
    </message>
    <message>
        <source>Too high: above the band, the weights thrash (learning rate too high).</source>
        <translation>过高：高于区间，权重剧烈震荡（学习率过高）。</translation>
    </message>
    <message>
        <source>In the band.</source>
        <translation>在区间内。</translation>
    </message>
    <message>
        <source>Green inside {low} … {high}, amber within {margin} of it, red beyond.</source>
        <translation>在 {low} … {high} 内为绿色，相差 {margin} 以内为琥珀色，超出为红色。</translation>
    </message>
    <message>
        <source>Click to open the updates.</source>
        <translation>单击以打开更新。</translation>
    </message>
    <message>
        <source>type a number</source>
        <translation>请输入一个数</translation>
    </message>
    <message>
        <source>{text} is not a number</source>
        <translation>{text} 不是数</translation>
    </message>
    <message>
        <source>the number must be finite</source>
        <translation>数必须是有限的</translation>
    </message>
    <message>
        <source>Click a neuron or an edge in the network graph.</source>
        <translation>在网络图中单击一个神经元或一条边。</translation>
    </message>
    <message>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <source>Type a new value and press Enter: it applies between training steps and every panel updates.</source>
        <translation>输入新值并按回车：它将在训练步之间生效，所有面板随之更新。</translation>
    </message>
    <message>
        <source>Apply</source>
        <translation>应用</translation>
    </message>
    <message>
        <source>Set the selected weight or bias to the typed value.</source>
        <translation>将所选权重或偏置设为输入的值。</translation>
    </message>
    <message>
        <source>input {number}</source>
        <translation>输入 {number}</translation>
    </message>
    <message>
        <source>Input {number}: {name}</source>
        <translation>输入 {number}：{name}</translation>
    </message>
    <message>
        <source>An input feature: its value comes from the data.</source>
        <translation>输入特征：其值来自数据。</translation>
    </message>
    <message>
        <source>{layer} ({type}, {activation}), unit {unit}</source>
        <translation>{layer}（{type}，{activation}），单元 {unit}</translation>
    </message>
    <message>
        <source>mean activation a = {value} (over the {rows} probe rows)</source>
        <translation>平均激活值 a = {value}（基于 {rows} 行探测数据）</translation>
    </message>
    <message>
        <source>mean dL/dz = {value} (over the {rows} probe rows, each with the loss&apos;s 1/{rows})</source>
        <translation>平均 dL/dz = {value}（基于 {rows} 行探测数据，每行占损失的 1/{rows}）</translation>
    </message>
    <message>
        <source>dL/db = {value} (sum over the {rows} probe rows)</source>
        <translation>dL/db = {value}（{rows} 行探测数据之和）</translation>
    </message>
    <message>
        <source>input {number} ({name})</source>
        <translation>输入 {number}（{name}）</translation>
    </message>
    <message>
        <source>{layer}, unit {unit}</source>
        <translation>{layer}，单元 {unit}</translation>
    </message>
    <message>
        <source>Weight {weight} into {layer}, unit {unit}, from {source}</source>
        <translation>权重 {weight}：从 {source} 到 {layer} 的单元 {unit}</translation>
    </message>
    <message>
        <source>(on the probe batch; gradients of the current weights)</source>
        <translation>（基于探测批次；当前权重的梯度）</translation>
    </message>
    <message>
        <source>Weight</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>Bias</source>
        <translation>偏置</translation>
    </message>
    <message>
        <source>Not applied: {reason}.</source>
        <translation>未应用：{reason}。</translation>
    </message>
    <message>
        <source>Random (filter-normalised)</source>
        <translation>随机（滤波器归一化）</translation>
    </message>
    <message>
        <source>Path of the run</source>
        <translation>训练路径</translation>
    </message>
    <message>
        <source>Two parameters</source>
        <translation>两个参数</translation>
    </message>
    <message>
        <source>Random: two Gaussian directions, each unit&apos;s weights scaled to the norm of its weights now (Li et al. 2018); biases and normalisation parameters stay.
Path of the run: the two directions the optimizer&apos;s path spread most along (its principal components), so the plane holds the path.
Two parameters: move two chosen weights or biases, the rest fixed.</source>
        <translation>随机：两个高斯方向，每个单元的权重按其当前权重的范数缩放（Li 等，2018）；偏置和归一化参数保持不变。
训练路径：优化器路径分布最广的两个方向（其主成分），使平面包含该路径。
两个参数：改变两个选定的权重或偏置，其余保持不变。</translation>
    </message>
    <message>
        <source>The seed of the random directions: the same seed draws the same plane</source>
        <translation>随机方向的种子：相同的种子得到相同的平面</translation>
    </message>
    <message>
        <source>The parameter that moves across the map (layers, rows and columns counted from 1)</source>
        <translation>沿图横向变化的参数（层、行和列从 1 开始计数）</translation>
    </message>
    <message>
        <source>The parameter that moves up the map (layers, rows and columns counted from 1)</source>
        <translation>沿图纵向变化的参数（层、行和列从 1 开始计数）</translation>
    </message>
    <message>
        <source>How far the map reaches either way, in units of the directions (1: a random direction as long as the weights themselves)</source>
        <translation>图向两侧延伸的距离，以方向为单位（1：随机方向的长度与权重本身相同）</translation>
    </message>
    <message>
        <source>Grid points along each direction</source>
        <translation>每个方向上的网格点数</translation>
    </message>
    <message>
        <source>Log scale</source>
        <translation>对数刻度</translation>
    </message>
    <message>
        <source>Colour and plot the loss on a log scale</source>
        <translation>以对数刻度着色和绘制损失</translation>
    </message>
    <message>
        <source>Compute</source>
        <translation>计算</translation>
    </message>
    <message>
        <source>Compute the loss around the current weights (on a copy, off the GUI thread)</source>
        <translation>计算当前权重附近的损失（在副本上、于界面线程之外进行）</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>进度</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Stop the computation</source>
        <translation>停止计算</translation>
    </message>
    <message>
        <source>direction 1</source>
        <translation>方向 1</translation>
    </message>
    <message>
        <source>direction 2</source>
        <translation>方向 2</translation>
    </message>
    <message>
        <source>start</source>
        <translation>起点</translation>
    </message>
    <message>
        <source>now</source>
        <translation>当前</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>First</source>
        <translation>第一个</translation>
    </message>
    <message>
        <source>Second</source>
        <translation>第二个</translation>
    </message>
    <message>
        <source>Directions</source>
        <translation>方向</translation>
    </message>
    <message>
        <source>Range</source>
        <translation>范围</translation>
    </message>
    <message>
        <source>Resolution</source>
        <translation>分辨率</translation>
    </message>
    <message>
        <source>Waiting for the run&apos;s path …</source>
        <translation>正在等待训练路径 …</translation>
    </message>
    <message>
        <source>Computing the landscape at step {step} …</source>
        <translation>正在计算第 {step} 步的损失地形 …</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>已取消。</translation>
    </message>
    <message>
        <source>Could not compute the landscape: {reason}</source>
        <translation>无法计算损失地形：{reason}</translation>
    </message>
    <message>
        <source>loss (log scale)</source>
        <translation>损失（对数刻度）</translation>
    </message>
    <message>
        <source>t: (1 − t)·start of the run + t·weights now</source>
        <translation>t：(1 − t)·训练起点 + t·当前权重</translation>
    </message>
    <message>
        <source>The loss on a plane through the current weights (on a copy of the model): choose the directions and press Compute.</source>
        <translation>经过当前权重的平面上的损失（在模型副本上计算）：选择方向后点击“计算”。</translation>
    </message>
    <message>
        <source>At step {step}, {rows}, along {directions}: the loss is {loss} at the weights (★).</source>
        <translation>第 {step} 步，{rows}，沿 {directions}：当前权重处（★）的损失为 {loss}。</translation>
    </message>
    <message>
        <source>Computed at step {step}; the model is at step {now} now: Compute again to see it as it is.</source>
        <translation>计算于第 {step} 步；模型现已到第 {now} 步：再次点击“计算”以查看当前状态。</translation>
    </message>
    <message>
        <source>Computed at step {step}; the model is at a new run now: Compute again to see it as it is.</source>
        <translation>计算于第 {step} 步；模型现已开始新一轮训练：再次点击“计算”以查看当前状态。</translation>
    </message>
    <message>
        <source>a = {a}, b = {b}: loss {loss}</source>
        <translation>a = {a}，b = {b}：损失 {loss}</translation>
    </message>
    <message>
        <source>Loss landscape</source>
        <translation>损失地形</translation>
    </message>
    <message>
        <source>Loss landscape computed at step {step}</source>
        <translation>第 {step} 步计算的损失地形</translation>
    </message>
    <message>
        <source>Hover over the plots to read the values</source>
        <translation>将鼠标悬停在图上以读取数值</translation>
    </message>
    <message>
        <source>Batch loss</source>
        <translation>批次损失</translation>
    </message>
    <message>
        <source>The loss of every training batch (noisy), drawn faintly</source>
        <translation>每个训练批次的损失（有噪声），以浅色绘制</translation>
    </message>
    <message>
        <source>Log y</source>
        <translation>对数 y 轴</translation>
    </message>
    <message>
        <source>Exponential moving average of the losses and accuracies</source>
        <translation>损失和准确率的指数移动平均</translation>
    </message>
    <message>
        <source>acc</source>
        <translation>准确率</translation>
    </message>
    <message>
        <source>lr</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>batch loss</source>
        <translation>批次损失</translation>
    </message>
    <message>
        <source>Timeline</source>
        <translation>时间线</translation>
    </message>
    <message>
        <source>Drag to see any past step of the run in every panel</source>
        <translation>拖动以在所有面板中查看训练过程的任意历史步</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>实时</translation>
    </message>
    <message>
        <source>Show the run as it is now</source>
        <translation>显示训练的当前状态</translation>
    </message>
    <message>
        <source>Branch here…</source>
        <translation>从此处分支…</translation>
    </message>
    <message>
        <source>Go back to this step, change a setting and train on from here (the course the run took stays on the plot)</source>
        <translation>回到这一步，修改设置后从此处继续训练（原先的训练过程保留在图上）</translation>
    </message>
    <message>
        <source>Smoothing</source>
        <translation>平滑</translation>
    </message>
    <message>
        <source>step {step} of {last}</source>
        <translation>第 {step} 步 / 共 {last} 步</translation>
    </message>
    <message>
        <source>{course} (left at step {step})</source>
        <translation>{course}（于第 {step} 步离开）</translation>
    </message>
    <message>
        <source>batch {value}</source>
        <translation>批次 {value}</translation>
    </message>
    <message>
        <source>lr {value}</source>
        <translation>学习率 {value}</translation>
    </message>
    <message>
        <source>train loss {value}</source>
        <translation>训练损失 {value}</translation>
    </message>
    <message>
        <source>test loss {value}</source>
        <translation>测试损失 {value}</translation>
    </message>
    <message>
        <source>acc {value}%</source>
        <translation>准确率 {value}%</translation>
    </message>
    <message>
        <source>(eval @ {step})</source>
        <translation>（评估于第 {step} 步）</translation>
    </message>
    <message>
        <source>train loss on {sample}</source>
        <translation>训练损失（基于{sample}）</translation>
    </message>
    <message>
        <source>test loss on {sample}</source>
        <translation>测试损失（基于{sample}）</translation>
    </message>
    <message>
        <source>Misclassified pictures</source>
        <translation>分类错误的图片</translation>
    </message>
    <message>
        <source>Test row {row}: class {true}, predicted {predicted}</source>
        <translation>测试样本 {row}：类别 {true}，预测为 {predicted}</translation>
    </message>
    <message>
        <source>Training row {row}: class {true}, predicted {predicted}</source>
        <translation>训练样本 {row}：类别 {true}，预测为 {predicted}</translation>
    </message>
    <message>
        <source> with probability {p}</source>
        <translation>，概率 {p}</translation>
    </message>
    <message>
        <source>Misclassified test pictures ({shown} of {total})</source>
        <translation>分错的测试图片（{total} 张中的 {shown} 张）</translation>
    </message>
    <message>
        <source>Misclassified training pictures ({shown} of {total})</source>
        <translation>分错的训练图片（{total} 张中的 {shown} 张）</translation>
    </message>
    <message>
        <source>No pictures to show: {why}.</source>
        <translation>没有可显示的图片：{why}。</translation>
    </message>
    <message>
        <source>No classes to compare: the run has diverged.</source>
        <translation>没有可比较的类别：训练已发散。</translation>
    </message>
    <message>
        <source>No predictions yet.</source>
        <translation>还没有预测。</translation>
    </message>
    <message>
        <source>No mistakes: all {count} test rows are classified right.</source>
        <translation>没有错误：全部 {count} 个测试样本都分类正确。</translation>
    </message>
    <message>
        <source>No mistakes: all {count} training rows are classified right.</source>
        <translation>没有错误：全部 {count} 个训练样本都分类正确。</translation>
    </message>
    <message>
        <source>{total} of {evaluated} test rows misclassified</source>
        <translation>{evaluated} 个测试样本中有 {total} 个分错</translation>
    </message>
    <message>
        <source>{total} of {evaluated} training rows (nothing held out) misclassified</source>
        <translation>{evaluated} 个训练样本（未留出测试集）中有 {total} 个分错</translation>
    </message>
    <message>
        <source> · {shown} shown, most confident first · true → predicted, probability</source>
        <translation> · 显示 {shown} 个，最有把握的在前 · 真实 → 预测，概率</translation>
    </message>
    <message>
        <source> · {shown} shown, most confident first · true → predicted, class</source>
        <translation> · 显示 {shown} 个，最有把握的在前 · 真实 → 预测，类别</translation>
    </message>
    <message>
        <source>This network has no BatchNorm or dropout layer.</source>
        <translation>此网络没有 BatchNorm 层或 Dropout 层。</translation>
    </message>
    <message>
        <source>In training BatchNorm uses the batch&apos;s statistics; in evaluation the running ones. A large gap means evaluation behaves differently from training.</source>
        <translation>训练时 BatchNorm 使用批次统计量；评估时使用滑动统计量。差距较大表示评估时的行为与训练时不同。</translation>
    </message>
    <message>
        <source>No training step yet: the mask of the last training batch appears after the first step.</source>
        <translation>尚无训练步：第一步之后将显示最近一个训练批次的掩码。</translation>
    </message>
    <message>
        <source>p = {p}: each unit is dropped with probability p; survivors are scaled by 1/(1-p) = {scale}</source>
        <translation>p = {p}：每个单元以概率 p 被丢弃；保留的单元按 1/(1-p) = {scale} 缩放</translation>
    </message>
    <message>
        <source>The BatchNorm and dropout layers of the network.</source>
        <translation>网络中的 BatchNorm 层和 Dropout 层。</translation>
    </message>
    <message>
        <source>Mean per unit</source>
        <translation>各单元均值</translation>
    </message>
    <message>
        <source>Variance per unit</source>
        <translation>各单元方差</translation>
    </message>
    <message>
        <source>variance</source>
        <translation>方差</translation>
    </message>
    <message>
        <source>Train/eval output gap per unit</source>
        <translation>各单元训练/评估输出差距</translation>
    </message>
    <message>
        <source>gap</source>
        <translation>差距</translation>
    </message>
    <message>
        <source>probe batch (training mode)</source>
        <translation>探测批次（训练模式）</translation>
    </message>
    <message>
        <source>running (evaluation mode)</source>
        <translation>滑动统计（评估模式）</translation>
    </message>
    <message>
        <source>The probe batch&apos;s mean and (biased) variance of the layer&apos;s input, beside the running estimates kept during training.</source>
        <translation>该层输入在探测批次上的均值和（有偏）方差，以及训练期间维护的滑动估计值。</translation>
    </message>
    <message>
        <source>Mean over the probe batch of |training-mode output − evaluation-mode output|.</source>
        <translation>探测批次上 |训练模式输出 − 评估模式输出| 的均值。</translation>
    </message>
    <message>
        <source>Mask of the last training batch</source>
        <translation>最近一个训练批次的掩码</translation>
    </message>
    <message>
        <source>sample</source>
        <translation>样本</translation>
    </message>
    <message>
        <source>Normalization</source>
        <translation>归一化</translation>
    </message>
    <message>
        <source>BatchNorm statistics</source>
        <translation>BatchNorm 统计量</translation>
    </message>
    <message>
        <source>Dropout mask</source>
        <translation>Dropout 掩码</translation>
    </message>
    <message>
        <source>Largest gap: unit {unit}, {gap}  (mean over units {mean}).  Unit {unit}: batch mean {batch_mean} vs running {running_mean}; batch variance {batch_var} vs running {running_var}.</source>
        <translation>最大差距：单元 {unit}，{gap}（各单元平均 {mean}）。单元 {unit}：批次均值 {batch_mean}，滑动均值 {running_mean}；批次方差 {batch_var}，滑动方差 {running_var}。</translation>
    </message>
    <message>
        <source>kept (× {scale})</source>
        <translation>保留（× {scale}）</translation>
    </message>
    <message>
        <source>dropped (0)</source>
        <translation>丢弃 (0)</translation>
    </message>
    <message>
        <source>Dropped in this batch: {share}% ({dropped} of {total} activations; expected {expected}%)</source>
        <translation>本批次丢弃：{share}%（{total} 个激活值中的 {dropped} 个；期望 {expected}%）</translation>
    </message>
    <message>
        <source>class {number} (target {target})</source>
        <translation>类别 {number}（目标值 {target}）</translation>
    </message>
    <message>
        <source>No data yet</source>
        <translation>尚无数据</translation>
    </message>
    <message>
        <source>Show test data</source>
        <translation>显示测试数据</translation>
    </message>
    <message>
        <source>Discretize output</source>
        <translation>离散化输出</translation>
    </message>
    <message>
        <source>Colour each point of the plane by the class the network predicts</source>
        <translation>按网络预测的类别为平面上的每个点着色</translation>
    </message>
    <message>
        <source>Confusion matrix</source>
        <translation>混淆矩阵</translation>
    </message>
    <message>
        <source>Show the confusion matrix of the classes instead of the input plane</source>
        <translation>显示各类别的混淆矩阵，而非输入平面</translation>
    </message>
    <message>
        <source>train</source>
        <translation>训练集</translation>
    </message>
    <message>
        <source>test</source>
        <translation>测试集</translation>
    </message>
    <message>
        <source>network</source>
        <translation>网络</translation>
    </message>
    <message>
        <source>predicted</source>
        <translation>预测值</translation>
    </message>
    <message>
        <source>predicted class (target value)</source>
        <translation>预测类别（目标值）</translation>
    </message>
    <message>
        <source>true class</source>
        <translation>真实类别</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>Decision surface</source>
        <translation>决策面</translation>
    </message>
    <message>
        <source>Output over the input plane</source>
        <translation>输入平面上的输出</translation>
    </message>
    <message>
        <source>Fitted curve</source>
        <translation>拟合曲线</translation>
    </message>
    <message>
        <source>Predicted against target</source>
        <translation>预测值与目标值</translation>
    </message>
    <message>
        <source>Step {step}</source>
        <translation>第 {step} 步</translation>
    </message>
    <message>
        <source>test accuracy {value}</source>
        <translation>测试准确率 {value}</translation>
    </message>
    <message>
        <source>train accuracy {value}</source>
        <translation>训练准确率 {value}</translation>
    </message>
    <message>
        <source>counts, accuracy and loss</source>
        <translation>计数、准确率和损失</translation>
    </message>
    <message>
        <source>counts and loss</source>
        <translation>计数和损失</translation>
    </message>
    <message>
        <source>points, accuracy and loss</source>
        <translation>数据点、准确率和损失</translation>
    </message>
    <message>
        <source>points and loss</source>
        <translation>数据点和损失</translation>
    </message>
    <message>
        <source>accuracy and loss</source>
        <translation>准确率和损失</translation>
    </message>
    <message>
        <source>{set} {figures} on {sample}</source>
        <translation>{set}{figures}（基于{sample}）</translation>
    </message>
    <message>
        <source>Mistakes</source>
        <translation>错误分类</translation>
    </message>
    <message>
        <source>The test pictures the network gets wrong (classifiers of 8 × 8 or 28 × 28 pictures)</source>
        <translation>网络分类错误的测试图片（适用于 8 × 8 或 28 × 28 图片的分类器）</translation>
    </message>
    <message>
        <source>Draw a digit and see the network&apos;s class probabilities (classifiers of 8 × 8 or 28 × 28 pictures)</source>
        <translation>手写一个数字，查看网络给出的各类别概率（适用于 8 × 8 或 28 × 28 图片的分类器）</translation>
    </message>
    <message>
        <source>Gradients</source>
        <translation>梯度</translation>
    </message>
    <message>
        <source>Gradient flow</source>
        <translation>梯度流</translation>
    </message>
    <message>
        <source>Updates</source>
        <translation>更新</translation>
    </message>
    <message>
        <source>Update ratio</source>
        <translation>更新比</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>权重</translation>
    </message>
    <message>
        <source>Norm</source>
        <translation>归一化</translation>
    </message>
    <message>
        <source>Norm &amp; dropout</source>
        <translation>归一化与 Dropout</translation>
    </message>
    <message>
        <source>BatchNorm statistics and dropout masks</source>
        <translation>BatchNorm 统计量和 Dropout 掩码</translation>
    </message>
    <message>
        <source>Inspector</source>
        <translation>检查器</translation>
    </message>
    <message>
        <source>The loss on a plane through the weights and on the line from the start of the run</source>
        <translation>经过权重的平面上的损失，以及从训练起点出发的直线上的损失</translation>
    </message>
    <message>
        <source>Calculation</source>
        <translation>计算过程</translation>
    </message>
    <message>
        <source>a sample of {evaluated} of {total} rows</source>
        <translation>{total} 行中的 {evaluated} 行样本</translation>
    </message>
    <message>
        <source>Where you are in the step: forward (green), loss (brown), backward (red), update (purple). Click or drag to jump.</source>
        <translation>当前在这一步中的位置：前向传播（绿色）、损失（棕色）、反向传播（红色）、更新（紫色）。单击或拖动可跳转。</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开头</translation>
    </message>
    <message>
        <source>Go to the first operation (Home)</source>
        <translation>转到第一个运算（Home）</translation>
    </message>
    <message>
        <source>Previous</source>
        <translation>上一个</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下一个</translation>
    </message>
    <message>
        <source>The next operation (Right arrow); at the end, take the step</source>
        <translation>下一个运算（右方向键）；到末尾时执行这一步</translation>
    </message>
    <message>
        <source>End</source>
        <translation>末尾</translation>
    </message>
    <message>
        <source>Go to the last operation (End)</source>
        <translation>转到最后一个运算（End）</translation>
    </message>
    <message>
        <source>Scrub through the operations of this step</source>
        <translation>拖动浏览这一步中的各个运算</translation>
    </message>
    <message>
        <source>Operation</source>
        <translation>运算</translation>
    </message>
    <message>
        <source>Which sample of the batch the numbers are for, or the whole batch (means, with one table row per sample)</source>
        <translation>数值对应批次中的哪个样本，或整个批次（取均值，每个样本占表格一行）</translation>
    </message>
    <message>
        <source>Sample</source>
        <translation>样本</translation>
    </message>
    <message>
        <source>Neuron by neuron</source>
        <translation>逐个神经元</translation>
    </message>
    <message>
        <source>Step through each unit of a layer separately, with its row highlighted</source>
        <translation>逐个单元地执行一层的计算，并高亮其所在行</translation>
    </message>
    <message>
        <source>Quiz</source>
        <translation>测验</translation>
    </message>
    <message>
        <source>Predict each result before it is shown: type it, press Enter</source>
        <translation>在结果显示之前先预测：输入后按回车</translation>
    </message>
    <message>
        <source>Your answer:</source>
        <translation>你的答案：</translation>
    </message>
    <message>
        <source>type the value (several: separate with commas), then Enter</source>
        <translation>输入数值（多个值用逗号分隔），然后按回车</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>检查</translation>
    </message>
    <message>
        <source>Show me</source>
        <translation>显示答案</translation>
    </message>
    <message>
        <source>Reveal the result without answering</source>
        <translation>不作答，直接显示结果</translation>
    </message>
    <message>
        <source>This step has too many units to take one by one (over 2,000 operations); it is shown layer by layer</source>
        <translation>这一步的单元太多，无法逐个执行（超过 2,000 个运算）；将逐层显示</translation>
    </message>
    <message>
        <source>Sample {number} (row {row})</source>
        <translation>样本 {number}（第 {row} 行）</translation>
    </message>
    <message>
        <source>Whole batch ({size}, means)</source>
        <translation>整个批次（{size} 个，取均值）</translation>
    </message>
    <message>
        <source>Your value of {quantity}:</source>
        <translation>你算出的 {quantity}：</translation>
    </message>
    <message>
        <source>{right} right of {asked}</source>
        <translation>{asked} 题答对 {right} 题</translation>
    </message>
    <message>
        <source>operation {number} of {count}</source>
        <translation>第 {number} 个运算 / 共 {count} 个</translation>
    </message>
    <message>
        <source>Take the step</source>
        <translation>执行这一步</translation>
    </message>
    <message>
        <source>Apply the update and trace the next training step (Right arrow)</source>
        <translation>应用更新并跟踪下一个训练步（右方向键）</translation>
    </message>
    <message>
        <source>The next operation (Right arrow)</source>
        <translation>下一个运算（右方向键）</translation>
    </message>
    <message>
        <source>≈ -3 is healthy (Karpathy)</source>
        <translation>≈ -3 为健康（Karpathy）</translation>
    </message>
    <message>
        <source>healthy</source>
        <translation>健康</translation>
    </message>
    <message>
        <source>below the band: the steps barely move it (learning rate too low, or clipping too tight)</source>
        <translation>低于区间：每步几乎不改变它（学习率过低，或裁剪过紧）</translation>
    </message>
    <message>
        <source>above the band: learning rate too high for it</source>
        <translation>高于区间：对它而言学习率过高</translation>
    </message>
    <message>
        <source>no value: no step yet, or weights that are not finite numbers</source>
        <translation>无值：尚无训练步，或权重不是有限数</translation>
    </message>
    <message>
        <source>log&lt;sub&gt;10&lt;/sub&gt;(std(ΔW) / std(W)): how much the last step changed a layer&apos;s weights, as the optimizer applied it (momentum, Adam and clipping included). {above} the band ({high}): learning rate too high for that layer; {below} ({low}): too low.</source>
        <translation>log&lt;sub&gt;10&lt;/sub&gt;(std(ΔW) / std(W))：上一步优化器实际施加的变化（含动量、Adam 和裁剪）使一层的权重改变了多少。{above}区间（{high}）：该层的学习率过高；{below}区间（{low}）：过低。</translation>
    </message>
    <message>
        <source>Above</source>
        <translation>高于</translation>
    </message>
    <message>
        <source>below</source>
        <translation>低于</translation>
    </message>
    <message>
        <source>log₁₀ update / weight</source>
        <translation>log₁₀ 更新 / 权重</translation>
    </message>
    <message>
        <source>too high: {layers}</source>
        <translation>过高：{layers}</translation>
    </message>
    <message>
        <source>too low: {layers}</source>
        <translation>过低：{layers}</translation>
    </message>
    <message>
        <source>not a number</source>
        <translation>非数值</translation>
    </message>
    <message>
        <source>no update yet: the ratios appear after the next step</source>
        <translation>尚无更新：下一步之后显示比值</translation>
    </message>
    <message>
        <source>every layer in the band</source>
        <translation>所有层均在区间内</translation>
    </message>
    <message>
        <source>now {value}</source>
        <translation>当前 {value}</translation>
    </message>
    <message>
        <source>Matrix</source>
        <translation>矩阵</translation>
    </message>
    <message>
        <source>Unit images</source>
        <translation>单元图像</translation>
    </message>
    <message>
        <source>The weight matrix: one row per unit, one column per input</source>
        <translation>权重矩阵：每个单元一行，每个输入一列</translation>
    </message>
    <message>
        <source>How the layer&apos;s weights are spread</source>
        <translation>该层权重的分布</translation>
    </message>
    <message>
        <source>Each unit&apos;s input weights as a picture (28 × 28 or 8 × 8 inputs only): what the unit looks for in the image</source>
        <translation>将每个单元的输入权重显示为图片（仅限 28 × 28 或 8 × 8 输入）：该单元在图像中寻找什么</translation>
    </message>
    <message>
        <source>matrix</source>
        <translation>矩阵</translation>
    </message>
    <message>
        <source>unit images</source>
        <translation>单元图像</translation>
    </message>
    <message>
        <source>Weights — {layer} ({view})</source>
        <translation>权重 — {layer}（{view}）</translation>
    </message>
    <message>
        <source>No layer with weights</source>
        <translation>没有带权重的层</translation>
    </message>
    <message>
        <source>{units} units × {inputs} inputs = {weights} weights</source>
        <translation>{units} 个单元 × {inputs} 个输入 = {weights} 个权重</translation>
    </message>
    <message>
        <source>the first {count} units</source>
        <translation>前 {count} 个单元</translation>
    </message>
    <message>
        <source>input (unit of the layer below)</source>
        <translation>输入（下一层的单元）</translation>
    </message>
    <message>
        <source>Training goes on in the app&apos;s own process: the training process cannot take it ({reason}).</source>
        <translation>训练在应用自身的进程中继续：训练进程无法执行该操作（{reason}）。</translation>
    </message>
    <message>
        <source>Training stopped: {reason}</source>
        <translation>训练已停止：{reason}</translation>
    </message>
    <message>
        <source>(exit code {code})</source>
        <translation>（退出码 {code}）</translation>
    </message>
    <message>
        <source>The training process stopped unexpectedly{how} again; training goes on in the app&apos;s own process from step {step}.</source>
        <translation>训练进程再次意外停止{how}；训练将从第 {step} 步起在应用自身的进程中继续。</translation>
    </message>
    <message>
        <source>The training process stopped unexpectedly{how}; it was started again from step {step}.</source>
        <translation>训练进程意外停止{how}；已从第 {step} 步重新启动。</translation>
    </message>
    <message>
        <source>Training runs in the app&apos;s own process: a training process could not start ({reason}).</source>
        <translation>训练在应用自身的进程中运行：无法启动训练进程（{reason}）。</translation>
    </message>
    <message>
        <source>Welcome</source>
        <translation>欢迎</translation>
    </message>
    <message>
        <source>&lt;b&gt;Welcome to nnviz.&lt;/b&gt; Press &lt;b&gt;Play&lt;/b&gt; (Space) to train and watch the network learn; the &lt;b&gt;Examples&lt;/b&gt; menu opens lessons and ready-made models; &lt;b&gt;Train › Step through&lt;/b&gt; (Ctrl+T) shows one step, operation by operation.</source>
        <translation>&lt;b&gt;欢迎使用 nnviz。&lt;/b&gt;按&lt;b&gt;播放&lt;/b&gt;（空格）开始训练，观察网络如何学习；&lt;b&gt;示例&lt;/b&gt;菜单可打开课程和现成的模型；&lt;b&gt;训练 › 逐步执行&lt;/b&gt;（Ctrl+T）逐个运算地展示一步训练。</translation>
    </message>
    <message>
        <source>Welcome to nnviz</source>
        <translation>欢迎使用 nnviz</translation>
    </message>
    <message>
        <source>Don&apos;t show again</source>
        <translation>不再显示</translation>
    </message>
    <message>
        <source>Hide this welcome; Help › Getting started shows it again</source>
        <translation>隐藏此欢迎栏；可通过“帮助 › 快速入门”再次显示</translation>
    </message>
    <message>
        <source>nnviz — {panel}</source>
        <translation>nnviz — {panel}</translation>
    </message>
    <message>
        <source>Lesson step</source>
        <translation>课程步骤</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>上一步</translation>
    </message>
    <message>
        <source>The step before (Page Up)</source>
        <translation>上一步（Page Up）</translation>
    </message>
    <message>
        <source>Next step</source>
        <translation>下一步</translation>
    </message>
    <message>
        <source>The next step (Page Down)</source>
        <translation>下一步（Page Down）</translation>
    </message>
    <message>
        <source>Exercise</source>
        <translation>练习</translation>
    </message>
    <message>
        <source>Hint</source>
        <translation>提示</translation>
    </message>
    <message>
        <source>Show the next hint, one at a time</source>
        <translation>显示下一条提示，每次一条</translation>
    </message>
    <message>
        <source>Do:</source>
        <translation>操作：</translation>
    </message>
    <message>
        <source>Watch:</source>
        <translation>观察：</translation>
    </message>
    <message>
        <source>Step {step} of {count}</source>
        <translation>第 {step} 步，共 {count} 步</translation>
    </message>
    <message>
        <source>Exercise:</source>
        <translation>练习：</translation>
    </message>
    <message>
        <source>Goal:</source>
        <translation>目标：</translation>
    </message>
    <message>
        <source>Constraints:</source>
        <translation>约束：</translation>
    </message>
    <message>
        <source>Broken:</source>
        <translation>违反：</translation>
    </message>
    <message>
        <source>Every constraint is kept</source>
        <translation>所有约束都满足</translation>
    </message>
    <message>
        <source>{constraints}; {constraint}</source>
        <translation>{constraints}；{constraint}</translation>
    </message>
    <message>
        <source>Now:</source>
        <translation>当前：</translation>
    </message>
    <message>
        <source>Past {steps} steps without reaching the goal: change something, press Reset and train again.</source>
        <translation>已超过 {steps} 步仍未达到目标：改动一些设置，按“重置”后重新训练。</translation>
    </message>
    <message>
        <source>Hint {number}:</source>
        <translation>提示 {number}：</translation>
    </message>
    <message>
        <source>Why it works:</source>
        <translation>为什么有效：</translation>
    </message>
    <message>
        <source>{shown} of {total} hints shown</source>
        <translation>已显示 {shown}/{total} 条提示</translation>
    </message>
    <message>
        <source>Solved in {steps} step: {goal} reached</source>
        <translation>用 {steps} 步完成：已达到 {goal}</translation>
    </message>
    <message>
        <source>Solved in {steps} steps: {goal} reached</source>
        <translation>用 {steps} 步完成：已达到 {goal}</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>no evaluation yet</source>
        <translation>尚未评估</translation>
    </message>
    <message>
        <source>{metric} {value} at step {step}</source>
        <translation>第 {step} 步时{metric} {value}</translation>
    </message>
    <message>
        <source>{count} hidden units, more than the {limit} allowed</source>
        <translation>{count} 个隐藏单元，超过允许的 {limit} 个</translation>
    </message>
    <message>
        <source>{count} hidden layers, more than the {limit} allowed</source>
        <translation>{count} 个隐藏层，超过允许的 {limit} 个</translation>
    </message>
    <message>
        <source>the hidden layers must stay {was} (now {now})</source>
        <translation>隐藏层必须保持为 {was}（现为 {now}）</translation>
    </message>
    <message>
        <source>the hidden activations must stay {was} (now {now})</source>
        <translation>隐藏层激活函数必须保持为 {was}（现为 {now}）</translation>
    </message>
    <message>
        <source>as they were</source>
        <translation>原样</translation>
    </message>
    <message>
        <source>the output activation must stay {was} (now {now} with other options)</source>
        <translation>输出激活函数必须保持为 {was}（现为选项不同的 {now}）</translation>
    </message>
    <message>
        <source>the output activation must stay {was} (now {now})</source>
        <translation>输出激活函数必须保持为 {was}（现为 {now}）</translation>
    </message>
    <message>
        <source>the initialiser must stay {was}</source>
        <translation>初始化方法必须保持为 {was}</translation>
    </message>
    <message>
        <source>the loss must stay {was} (now {now})</source>
        <translation>损失必须保持为 {was}（现为 {now}）</translation>
    </message>
    <message>
        <source>the learning rate must stay {was} (now {now})</source>
        <translation>学习率必须保持为 {was}（现为 {now}）</translation>
    </message>
    <message>
        <source>the optimizer must stay {was} (now {now})</source>
        <translation>优化器必须保持为 {was}（现为 {now}）</translation>
    </message>
    <message>
        <source>the options of {name} must stay as they were</source>
        <translation>{name} 的选项必须保持不变</translation>
    </message>
    <message>
        <source>the seed must stay as {seed}</source>
        <translation>随机种子必须保持为 {seed}</translation>
    </message>
    <message>
        <source>the schedule must stay as it was</source>
        <translation>学习率调度必须保持不变</translation>
    </message>
    <message>
        <source>the L1 and L2 rates must stay as it was</source>
        <translation>L1 和 L2 系数必须保持不变</translation>
    </message>
    <message>
        <source>gradient clipping must stay as it was</source>
        <translation>梯度裁剪必须保持不变</translation>
    </message>
    <message>
        <source>full batch</source>
        <translation>全批量</translation>
    </message>
    <message>
        <source>the batch size must stay {was} (now {now})</source>
        <translation>批大小必须保持为 {was}（现为 {now}）</translation>
    </message>
    <message>
        <source>the data must stay as they were (changed: {changes})</source>
        <translation>数据必须保持不变（已改动：{changes}）</translation>
    </message>
    <message>
        <source>data set</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>noise</source>
        <translation>噪声</translation>
    </message>
    <message>
        <source>number of points</source>
        <translation>数据点数</translation>
    </message>
    <message>
        <source>seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>test split</source>
        <translation>测试集比例</translation>
    </message>
    <message>
        <source>features</source>
        <translation>特征</translation>
    </message>
    <message>
        <source>rows</source>
        <translation>数据行</translation>
    </message>
    <message>
        <source>sample {sample}</source>
        <translation>样本 {sample}</translation>
    </message>
    <message>
        <source>unit {unit}</source>
        <translation>单元 {unit}</translation>
    </message>
    <message>
        <source>before</source>
        <translation>更新前</translation>
    </message>
    <message>
        <source>gradient</source>
        <translation>梯度</translation>
    </message>
    <message>
        <source>after</source>
        <translation>更新后</translation>
    </message>
    <message>
        <source>Type a number first.</source>
        <translation>请先输入一个数。</translation>
    </message>
    <message>
        <source>{text} is not a number.</source>
        <translation>{text} 不是数。</translation>
    </message>
    <message>
        <source>Type finite numbers.</source>
        <translation>请输入有限的数。</translation>
    </message>
    <message>
        <source>Type {count} numbers (you typed {typed}).</source>
        <translation>请输入 {count} 个数（你输入了 {typed} 个）。</translation>
    </message>
    <message>
        <source>Type {count} number (you typed {typed}).</source>
        <translation>请输入 {count} 个数（你输入了 {typed} 个）。</translation>
    </message>
    <message>
        <source>Right: {value}.</source>
        <translation>正确：{value}。</translation>
    </message>
    <message>
        <source>Not quite: it is {value}.</source>
        <translation>不太对：应为 {value}。</translation>
    </message>
    <message>
        <source>Input: {input}.</source>
        <translation>输入：{input}。</translation>
    </message>
    <message>
        <source>Dropout is off (p = 0): z = x.</source>
        <translation>Dropout 未启用（p = 0）：z = x。</translation>
    </message>
    <message>
        <source>nothing (p = 1)</source>
        <translation>无（p = 1）</translation>
    </message>
    <message>
        <source>Each unit is kept with probability 1 − p = {keep} and scaled by 1/(1 − p) = {scale}.</source>
        <translation>每个单元以概率 1 − p = {keep} 保留，并乘以 1/(1 − p) = {scale}。</translation>
    </message>
    <message>
        <source>This sample: μ = {mean}, σ² = {variance}.</source>
        <translation>本样本：μ = {mean}，σ² = {variance}。</translation>
    </message>
    <message>
        <source>Stable softmax: subtracting the largest z before exp changes nothing in the result (it cancels in the ratio) but keeps exp from overflowing.</source>
        <translation>数值稳定的 softmax：在取 exp 之前减去最大的 z 不改变结果（它在比值中相互抵消），但能防止 exp 溢出。</translation>
    </message>
    <message>
        <source>Naive softmax (&quot;stable&quot;: false): exp(z) without subtracting the largest z first. Above z ≈ 709.78, exp overflows to ∞, and ∞/∞ is NaN: subtracting the maximum prevents it.</source>
        <translation>朴素 softmax（&quot;stable&quot;: false）：不先减去最大的 z 就计算 exp(z)。当 z ≈ 709.78 以上时 exp 溢出为 ∞，而 ∞/∞ 是 NaN：减去最大值可以避免。</translation>
    </message>
    <message>
        <source>Step t = {t}, learning rate lr = {lr}.</source>
        <translation>步数 t = {t}，学习率 lr = {lr}。</translation>
    </message>
    <message>
        <source>Sample {sample} of the batch (training row {row}); lr = {lr}.</source>
        <translation>批次中的样本 {sample}（训练数据第 {row} 行）；lr = {lr}。</translation>
    </message>
    <message>
        <source>Right answer (e = 0): nothing changes. Wrong: the weights move towards (e = 1) or away from (e = −1) this input.</source>
        <translation>答对（e = 0）：什么都不变。答错：权重朝这个输入靠近（e = 1）或远离（e = −1）。</translation>
    </message>
    <message>
        <source>Misclassified in this batch: {errors} of {count}.</source>
        <translation>本批次中分类错误：{count} 个中有 {errors} 个。</translation>
    </message>
    <message>
        <source>w before</source>
        <translation>更新前的 w</translation>
    </message>
    <message>
        <source>w after</source>
        <translation>更新后的 w</translation>
    </message>
</context>
</TS>
